"""ACLs on the built-in broker (`sluice broker --authorizer acl`), driven by real
clients. Without SASL every connection is User:ANONYMOUS, so these tests grant
and deny that principal; rules are bootstrapped offline (`sluice acls add
--data-dir`) before the broker starts, as an operator turning the authorizer on
would, or managed online by a super user through CreateAcls/DescribeAcls/DeleteAcls
(`sluice acls`, librdkafka's admin API; kafka-python's KafkaAdminClient)."""

import re
import subprocess
import time
import unittest
import urllib.request

import broker
from broker import BrokerProcess, unique_name, wait_until
import ck_helpers
from confluent_kafka import KafkaError, Producer

ADMIN_RE = re.compile(r"admin on http://127\.0\.0\.1:(\d+)")
ANON = "User:ANONYMOUS"


def sluice(*args, check=True):
    run = subprocess.run([broker.sluice_bin()] + list(args), capture_output=True, text=True,
                         timeout=60)
    if check and run.returncode != 0:
        raise AssertionError("sluice %s failed (%d):\n%s%s" % (" ".join(args), run.returncode,
                                                              run.stdout, run.stderr))
    return run


def deliver(bootstrap, topic, value, **conf):
    """Produces one message; returns the delivery error (None when it was written)."""
    p = ck_helpers.producer(bootstrap, **{"message.timeout.ms": 15000, **conf})
    result = {}
    p.produce(topic, value=value, on_delivery=lambda err, msg: result.setdefault("err", err))
    p.flush(30)
    return result.get("err", "no delivery report")


def first_error(consumer, timeout=30):
    """Polls until the consumer reports an error or a message; returns (error, message)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error() and msg.error().code() == KafkaError._PARTITION_EOF:
            continue
        return msg.error(), msg
    return None, None


def metrics(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
        return r.read().decode()


def denial_count(text, resource_type, operation):
    m = re.search(r'sluice_broker_authorization_denials_total\{[^}]*resource_type="%s"[^}]*'
                  r'operation="%s"[^}]*\} (\S+)' % (resource_type, operation), text)
    return float(m.group(1)) if m else 0.0


class OfflineRulesDecide(unittest.TestCase):
    """Rules written offline, then enforced for plain confluent_kafka clients."""

    @classmethod
    def setUpClass(cls):
        cls.broker = BrokerProcess(start=False, authorizer="acl", admin="127.0.0.1:0",
                                   group_initial_rebalance_delay_ms=0)
        data = cls.broker.data_dir
        p = unique_name("app")
        cls.allowed, cls.secret, cls.denied = p + ".orders", p + ".secret", unique_name("other")
        cls.group, cls.denied_group = unique_name("g-ok"), unique_name("g-no")
        # Everything on topics starting with the prefix, except reading the secret one.
        sluice("acls", "add", "--data-dir", data, "--allow-principal", ANON, "--operation", "Write",
               "--operation", "Read", "--operation", "Create", "--topic", p + ".",
               "--resource-pattern-type", "prefixed")
        sluice("acls", "add", "--data-dir", data, "--deny-principal", ANON, "--operation", "Read",
               "--topic", cls.secret)
        sluice("acls", "add", "--data-dir", data, "--allow-principal", ANON, "--operation", "Read",
               "--group", cls.group)
        cls.broker.start()
        cls.admin_port = int(ADMIN_RE.search(cls.broker.ready_line).group(1))

    @classmethod
    def tearDownClass(cls):
        cls.broker.close()

    def consumer(self, group, **conf):
        return ck_helpers.consumer(self.broker.bootstrap, **{"group.id": group, **conf})

    def test_writes_where_allowed_and_topic_authorization_failed_elsewhere(self):
        self.assertIsNone(deliver(self.broker.bootstrap, self.allowed, b"ok"))
        err = deliver(self.broker.bootstrap, self.denied, b"no")
        self.assertEqual(err.code(), KafkaError.TOPIC_AUTHORIZATION_FAILED, err)

    def test_an_idempotent_producer_needs_only_write_on_a_topic(self):
        self.assertIsNone(deliver(self.broker.bootstrap, self.allowed, b"idem",
                                  **{"enable.idempotence": True}))

    def test_an_allowed_group_reads_and_commits(self):
        self.assertIsNone(deliver(self.broker.bootstrap, self.allowed, b"to-read"))
        c = self.consumer(self.group)
        try:
            c.subscribe([self.allowed])
            err, msg = first_error(c)
            self.assertIsNone(err)
            self.assertIsNotNone(msg)
            c.commit(message=msg, asynchronous=False)
        finally:
            c.close()

    def test_a_group_without_read_gets_group_authorization_failed(self):
        c = self.consumer(self.denied_group)
        try:
            c.subscribe([self.allowed])
            err, _ = first_error(c)
            self.assertIsNotNone(err, "no error reached the consumer")
            self.assertEqual(err.code(), KafkaError.GROUP_AUTHORIZATION_FAILED, err)
        finally:
            c.close()

    def test_deny_beats_a_prefixed_allow(self):
        # Writing the secret topic is allowed by the prefix; reading it is denied.
        self.assertIsNone(deliver(self.broker.bootstrap, self.secret, b"s"))
        c = self.consumer(self.group)
        try:
            from confluent_kafka import TopicPartition
            c.assign([TopicPartition(self.secret, 0, 0)])
            err, _ = first_error(c)
            self.assertIsNotNone(err, "reading a denied topic gave no error")
            self.assertEqual(err.code(), KafkaError.TOPIC_AUTHORIZATION_FAILED, err)
        finally:
            c.close()

    def test_denials_are_counted_by_resource_type_and_operation(self):
        deliver(self.broker.bootstrap, self.denied, b"no")
        text = metrics(self.admin_port)
        self.assertGreater(denial_count(text, "TOPIC", "DESCRIBE"), 0, text[-2000:])

    def test_rules_survive_a_restart(self):
        self.broker.stop()
        self.broker.start()
        type(self).admin_port = int(ADMIN_RE.search(self.broker.ready_line).group(1))
        self.assertIsNone(deliver(self.broker.bootstrap, self.allowed, b"after"))
        err = deliver(self.broker.bootstrap, self.denied, b"still no")
        self.assertEqual(err.code(), KafkaError.TOPIC_AUTHORIZATION_FAILED, err)
        listed = sluice("acls", "list", "--data-dir", self.broker.data_dir).stdout
        self.assertIn(self.secret, listed)
        self.assertIn("DENY", listed)
        # Listing works while the broker runs; a change would be lost, so it is refused.
        r = sluice("acls", "delete", "--data-dir", self.broker.data_dir, "--topic", self.secret,
                   check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("is in use by sluice broker", r.stderr)


class OnlineManagement(unittest.TestCase):
    """A super user manages ACLs through the Kafka admin APIs."""

    @classmethod
    def setUpClass(cls):
        cls.broker = BrokerProcess(authorizer="acl", super_users=ANON)

    @classmethod
    def tearDownClass(cls):
        cls.broker.close()

    def online(self, *args, check=True):
        return sluice("acls", *args, "--bootstrap", self.broker.bootstrap, check=check)

    def test_sluice_acls_add_list_delete(self):
        topic = unique_name("orders")
        self.online("add", "--allow-principal", "User:alice", "--operation", "Read",
                    "--operation", "Describe", "--topic", topic)
        self.online("add", "--deny-principal", "User:mallory", "--group", "*")
        listed = self.online("list", "--topic", topic).stdout
        self.assertIn("User:alice", listed)
        self.assertEqual(listed.count("User:alice"), 2, listed)
        self.assertIn("User:mallory", self.online("list").stdout)
        deleted = self.online("delete", "--topic", topic, "--operation", "Read").stdout
        self.assertIn("deleted 1 ACL(s)", deleted)
        listed = self.online("list", "--topic", topic).stdout
        self.assertNotIn("READ", listed)
        self.assertIn("DESCRIBE", listed)
        self.online("delete", "--topic", topic)
        self.assertNotIn("User:alice", self.online("list").stdout)

    def test_kafka_python_admin_client(self):
        from kafka.admin import (ACL, ACLFilter, ACLOperation, ACLPermissionType,
                                 ACLResourcePatternType, KafkaAdminClient, ResourcePattern,
                                 ResourcePatternFilter, ResourceType)
        name = unique_name("team-")
        admin = KafkaAdminClient(bootstrap_servers=self.broker.bootstrap, request_timeout_ms=10000)
        try:
            acl = ACL(principal="User:bob", host="*", operation=ACLOperation.WRITE,
                      permission_type=ACLPermissionType.ALLOW,
                      resource_pattern=ResourcePattern(ResourceType.TOPIC, name,
                                                       ACLResourcePatternType.PREFIXED))
            result = admin.create_acls([acl])
            self.assertEqual(result["failed"], [], result)
            flt = ACLFilter(principal="User:bob", host=None, operation=ACLOperation.ANY,
                            permission_type=ACLPermissionType.ANY,
                            resource_pattern=ResourcePatternFilter(ResourceType.TOPIC, name,
                                                                   ACLResourcePatternType.ANY))
            found, error = admin.describe_acls(flt)
            self.assertEqual(len(found), 1, (found, error))
            self.assertEqual(found[0].resource_pattern.pattern_type,
                             ACLResourcePatternType.PREFIXED)
            deleted = admin.delete_acls([flt])
            self.assertEqual(len(deleted[0][1]), 1, deleted)
            self.assertEqual(admin.describe_acls(flt)[0], [])
        finally:
            admin.close()

    def test_confluent_kafka_admin_client(self):
        try:
            from confluent_kafka.admin import (AclBinding, AclBindingFilter, AclOperation,
                                               AclPermissionType, AdminClient,
                                               ResourcePatternType, ResourceType)
        except ImportError:
            self.skipTest("this confluent_kafka has no ACL admin API (needs 1.9 or newer)")
        name = unique_name("ck")
        admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})
        binding = AclBinding(ResourceType.TOPIC, name, ResourcePatternType.LITERAL, "User:carol",
                             "*", AclOperation.READ, AclPermissionType.ALLOW)
        for f in admin.create_acls([binding]).values():
            f.result(30)
        flt = AclBindingFilter(ResourceType.TOPIC, name, ResourcePatternType.ANY, None, None,
                               AclOperation.ANY, AclPermissionType.ANY)
        self.assertEqual(len(admin.describe_acls(flt).result(30)), 1)
        for f in admin.delete_acls([flt]).values():
            self.assertEqual(len(f.result(30)), 1)


class ManagingAclsIsItselfAuthorized(unittest.TestCase):
    """librdkafka drops DescribeAcls' error code (an empty listing either way), so
    refusals are checked through CreateAcls with `sluice acls add` and through
    DescribeAcls with kafka-python, which raises the code it is answered."""

    ADD = ("acls", "add", "--allow-principal", "User:eve", "--topic", "t")

    def test_without_alter_on_the_cluster_acls_cannot_be_managed(self):
        with BrokerProcess(authorizer="acl") as b:
            run = sluice(*self.ADD, "--bootstrap", b.bootstrap, check=False)
            self.assertNotEqual(run.returncode, 0)
            self.assertRegex(run.stderr, r"(?i)cluster.*authoriz")
            from kafka.admin import (ACLFilter, ACLOperation, ACLPermissionType,
                                     ACLResourcePatternType, KafkaAdminClient,
                                     ResourcePatternFilter, ResourceType)
            from kafka.errors import ClusterAuthorizationFailedError
            admin = KafkaAdminClient(bootstrap_servers=b.bootstrap, request_timeout_ms=10000)
            try:
                with self.assertRaises(ClusterAuthorizationFailedError):
                    admin.describe_acls(ACLFilter(
                        principal=None, host=None, operation=ACLOperation.ANY,
                        permission_type=ACLPermissionType.ANY,
                        resource_pattern=ResourcePatternFilter(ResourceType.ANY, None,
                                                               ACLResourcePatternType.ANY)))
            finally:
                admin.close()

    def test_without_an_authorizer_the_acl_apis_say_security_is_disabled(self):
        with BrokerProcess() as b:
            run = sluice(*self.ADD, "--bootstrap", b.bootstrap, check=False)
            self.assertNotEqual(run.returncode, 0)
            self.assertRegex(run.stderr, r"(?i)security.*disabled|no authorizer")


if __name__ == "__main__":
    unittest.main()
