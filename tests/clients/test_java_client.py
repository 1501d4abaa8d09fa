"""Apache Kafka's Java client (kafka-clients, the release pinned in scripts/kafka/pom.xml)
and Kafka's own tools against `sluice broker` with authentication and TLS.

java/ProduceConsume.java is compiled here with javac against the pinned jars; it produces
50 records (acks=all, idempotent by default, keys and a header; compressed with each of
gzip, snappy, lz4 and zstd in turn, checked in the stored batch), consumes them back in a
fresh consumer group (the classic protocol) and commits, configured only through a
client.properties file as a Java application would be; java/AdminTour.java calls each
admin API the Admin client has for such a broker. Covered: PLAINTEXT, where the clients'
request logs show that the producer, the consumer and the admin client send every API at
the highest version the broker serves (its own ApiVersions answer), which is Kafka 4.4's
latest for all but the consumer-group APIs: Produce and Fetch by topic id among them;
SASL_PLAINTEXT and SASL_SSL with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512; SSL; mutual TLS where the certificate subject is the
principal that ACLs name; a wrong password reported by the client as
SaslAuthenticationException with the broker's message; a client that does not trust the
broker's CA as SslAuthenticationException; kafka-topics --create/--list/--describe over
SASL_SSL through --command-config. The jars come from scripts/install-kafka.sh (run
lazily by tests/kafka_dist.py when missing)."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import broker  # noqa: F401  (makes the Debian client packages importable)
import wire
from broker import BrokerTestCase, sluice_bin, unique_name
from tls_certs import CLIENT_DN, make_test_certs

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import kafka_dist  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
LOGIN_MODULES = {"PLAIN": "org.apache.kafka.common.security.plain.PlainLoginModule",
                 "SCRAM-SHA-256": "org.apache.kafka.common.security.scram.ScramLoginModule",
                 "SCRAM-SHA-512": "org.apache.kafka.common.security.scram.ScramLoginModule"}
ADMIN, ADMIN_PW = "admin", "admin-secret-pw"
ALICE, ALICE_PW = "alice", "alice-secret-pw"
COUNT = 50

CERTS = {}
_module_dir = None
_java_cp = None


def setUpModule():
    global _module_dir, _java_cp
    _module_dir = tempfile.mkdtemp(prefix="sluice-java-")
    CERTS.update(make_test_certs(_module_dir))
    # Kafka's PEM key store is one file holding the private key and its certificate chain.
    CERTS["client_keystore"] = os.path.join(_module_dir, "client-keystore.pem")
    with open(CERTS["client_keystore"], "w") as out:
        for part in (CERTS["client_key"], CERTS["client"]):
            with open(part) as f:
                out.write(f.read())
    _java_cp = kafka_dist.compile_java(
        [os.path.join(HERE, "java", name) for name in ("ProduceConsume.java", "AdminTour.java")],
        os.path.join(_module_dir, "classes"))


def tearDownModule():
    if _module_dir:
        shutil.rmtree(_module_dir, ignore_errors=True)


def users_add(data_dir, user, password):
    r = subprocess.run([sluice_bin(), "users", "add", user, "--data-dir", data_dir,
                        "--password-stdin"], input=password + "\n", text=True,
                       capture_output=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("sluice users add %s failed: %s" % (user, r.stderr))


def acls_add(data_dir, *args):
    r = subprocess.run([sluice_bin(), "acls", "add", "--data-dir", data_dir] + list(args),
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("sluice acls add %s failed: %s" % (" ".join(args), r.stderr))


class JavaClientTestCase(BrokerTestCase):
    start_broker_in_setup = False
    protocol = None  # the broker's --security-protocol
    extra_flags = {}

    def setUp(self):
        super().setUp()
        sub = tempfile.mkdtemp(prefix="broker-", dir=self._tmp.name)
        flags = dict(security_protocol=self.protocol, **self.extra_flags)
        if "SSL" in self.protocol:
            flags.update(ssl_certificate=CERTS["server"], ssl_key=CERTS["server_key"])
        b = broker.BrokerProcess(tmpdir=sub, start=False, **flags)
        self.brokers.append(b)
        os.makedirs(b.data_dir, exist_ok=True)
        if "SASL" in self.protocol:
            for user, pw in ((ADMIN, ADMIN_PW), (ALICE, ALICE_PW)):
                users_add(b.data_dir, user, pw)
        self.prepare_data_dir(b.data_dir)
        self.broker = b.start()

    def prepare_data_dir(self, data_dir):
        pass

    def client_properties(self, mechanism=None, user=ALICE, password=ALICE_PW, ca="ca",
                          client_cert=False, extra=None):
        """A client.properties for this broker, as a Java application would have it."""
        props = {"bootstrap.servers": self.broker.bootstrap, "security.protocol": self.protocol}
        props.update(extra or {})
        if mechanism:
            props["sasl.mechanism"] = mechanism
            props["sasl.jaas.config"] = '%s required username="%s" password="%s";' % (
                LOGIN_MODULES[mechanism], user, password)
        if "SSL" in self.protocol:
            props["ssl.truststore.type"] = "PEM"
            props["ssl.truststore.location"] = CERTS[ca]
        if client_cert:
            props["ssl.keystore.type"] = "PEM"
            props["ssl.keystore.location"] = CERTS["client_keystore"]
        fd, path = tempfile.mkstemp(prefix="client-", suffix=".properties", dir=self._tmp.name)
        with os.fdopen(fd, "w") as f:
            for key, value in props.items():
                f.write("%s=%s\n" % (key, value))
        return path

    def java(self, properties, topic, count=COUNT, log_config=None):
        log_config = log_config or kafka_dist._log4j2_file("SYSTEM_ERR", "WARN")
        return subprocess.run(
            [kafka_dist.java(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
             "-Dlog4j2.configurationFile=" + log_config,
             "-cp", _java_cp, "ProduceConsume", properties, topic, str(count)],
            capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL)

    def assert_round_trip(self, properties, topic):
        r = self.java(properties, topic)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr + self.broker_log())
        self.assertEqual(r.stdout.split("\n")[:2], ["produced %d" % COUNT, "consumed %d" % COUNT])

    def assert_fails_with(self, properties, exception, message):
        r = self.java(properties, unique_name("refused"))
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr + self.broker_log())
        failed = [line for line in r.stderr.splitlines() if line.startswith("FAILED ")]
        self.assertEqual(len(failed), 1, r.stderr)
        self.assertIn("FAILED org.apache.kafka.common.errors.%s: " % exception, failed[0])
        self.assertIn(message, failed[0])
        self.assertNotIn("produced", r.stdout)


# The classic-protocol consumer names its topics, so Kafka 4.4's sends OffsetCommit and
# OffsetFetch v9 even where v10 (topic ids) is served; its KIP-848 consumer sends v10.
CLASSIC_CONSUMER_NEWEST = {"OFFSET_COMMIT": 9, "OFFSET_FETCH": 9}


class Plaintext(JavaClientTestCase):
    protocol = "PLAINTEXT"

    def test_uses_the_latest_version_of_every_api_it_sends(self):
        # A client picks the highest version both sides speak; its own request log tells
        # which. Every API sent must be at the broker's max: for all but the consumer-group
        # APIs that is Kafka 4.4's latest, so none needed to fall back.
        served = wire.served_versions(self.broker.port)
        properties = self.client_properties()
        r = self.java(properties, unique_name("latest"), log_config=kafka_dist.request_log_config())
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr[-4000:] + self.broker_log())
        self.assertEqual(r.stdout.split("\n")[:2], ["produced %d" % COUNT, "consumed %d" % COUNT])
        sent = kafka_dist.api_versions_sent(r.stderr)
        tour = self.admin_tour(properties, unique_name("tour"))
        for api, versions in kafka_dist.api_versions_sent(tour.stderr).items():
            sent.setdefault(api, set()).update(versions)
        for api, versions in sorted(sent.items()):
            self.assertIn(api, kafka_dist.API_KEYS, "an API sluice does not serve: %r" % sent)
            newest = min(served[kafka_dist.API_KEYS[api]], CLASSIC_CONSUMER_NEWEST.get(api, 99))
            self.assertEqual(versions, {newest},
                             "%s: versions sent per API: %r; served: %r" % (api, sent, served))
        for api in ("API_VERSIONS", "METADATA", "INIT_PRODUCER_ID", "PRODUCE", "FIND_COORDINATOR",
                    "JOIN_GROUP", "SYNC_GROUP", "OFFSET_FETCH", "LIST_OFFSETS", "FETCH",
                    "OFFSET_COMMIT", "CREATE_TOPICS", "DESCRIBE_CLUSTER", "CREATE_PARTITIONS",
                    "DESCRIBE_CONFIGS", "INCREMENTAL_ALTER_CONFIGS", "DELETE_RECORDS",
                    "DESCRIBE_LOG_DIRS", "DESCRIBE_ACLS", "DESCRIBE_CLIENT_QUOTAS",
                    "DESCRIBE_USER_SCRAM_CREDENTIALS", "DELETE_TOPICS"):
            self.assertIn(api, sent, "never sent; versions sent per API: %r" % sent)
        self.assertGreaterEqual(served[kafka_dist.API_KEYS["FETCH"]], 13, "Fetch by topic id")
        self.assertGreaterEqual(served[kafka_dist.API_KEYS["PRODUCE"]], 13, "Produce by id")

    def admin_tour(self, properties, topic):
        r = subprocess.run(
            [kafka_dist.java(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
             "-Dlog4j2.configurationFile=" + kafka_dist.request_log_config(),
             "-cp", _java_cp, "AdminTour", properties, topic],
            capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr[-4000:] + self.broker_log())
        self.assertIn("toured", r.stdout.splitlines())
        return r


    def test_every_codec_round_trips_and_is_stored_as_sent(self):
        # Kafka's codec ids in a batch's attributes (the low three bits).
        for codec, codec_id in (("gzip", 1), ("snappy", 2), ("lz4", 3), ("zstd", 4)):
            with self.subTest(codec=codec):
                topic = unique_name("java-" + codec)
                self.assert_round_trip(
                    self.client_properties(extra={"compression.type": codec}), topic)
                segment = os.path.join(self.broker.data_dir, "topics", topic, "0",
                                       "%020d.log" % 0)
                with open(segment, "rb") as f:
                    header = f.read(23)
                self.assertEqual(int.from_bytes(header[21:23], "big") & 0x7, codec_id,
                                 "the first batch's codec in " + segment)


class SaslPlaintext(JavaClientTestCase):
    protocol = "SASL_PLAINTEXT"

    def test_each_mechanism_produces_and_consumes(self):
        for mechanism in MECHANISMS:
            with self.subTest(mechanism=mechanism):
                self.assert_round_trip(self.client_properties(mechanism), unique_name("java-sasl"))

    def test_wrong_password_is_a_sasl_authentication_exception(self):
        self.assert_fails_with(self.client_properties("SCRAM-SHA-512", password="wrong-pw"),
                               "SaslAuthenticationException",
                               "invalid credentials with SASL mechanism SCRAM-SHA-512")
        self.assert_fails_with(self.client_properties("PLAIN", password="wrong-pw"),
                               "SaslAuthenticationException", "Invalid username or password")
        self.assertRegex(self.broker.stderr_tail(200),
                         r'authentication failed for principal "User:alice" from 127\.0\.0\.1:')
        self.assertNotIn("wrong-pw", self.broker.stderr_tail(200))


class Ssl(JavaClientTestCase):
    protocol = "SSL"

    def test_produces_and_consumes(self):
        self.assert_round_trip(self.client_properties(), unique_name("java-ssl"))

    def test_untrusted_broker_certificate_is_an_ssl_authentication_exception(self):
        self.assert_fails_with(self.client_properties(ca="other_ca"),
                               "SslAuthenticationException", "SSL handshake failed")
        self.assert_round_trip(self.client_properties(), unique_name("java-ssl-after"))


class MutualTls(JavaClientTestCase):
    """--ssl-client-auth required and --authorizer acl: the certificate's subject is the
    principal, and only it may use the topics and groups named by the prefix."""

    protocol = "SSL"
    extra_flags = {"authorizer": "acl", "ssl_client_auth": "required"}

    def setUp(self):
        self.prefix = unique_name("mtls") + "."
        self.extra_flags = dict(self.extra_flags, ssl_ca=CERTS["ca"])
        super().setUp()

    def prepare_data_dir(self, data_dir):
        # ProduceConsume's consumer groups are named java-<uuid>.
        acls_add(data_dir, "--allow-principal", "User:" + CLIENT_DN, "--group", "java-",
                 "--resource-pattern-type", "prefixed")
        acls_add(data_dir, "--allow-principal", "User:" + CLIENT_DN, "--topic", self.prefix,
                 "--resource-pattern-type", "prefixed")

    def test_certificate_subject_is_the_principal(self):
        with_cert = self.client_properties(client_cert=True)
        self.assert_round_trip(with_cert, self.prefix + "orders")
        # The same certificate on a topic its principal has no ACL for is denied: the round
        # trip above passed because of the certificate's subject.
        r = self.java(with_cert, unique_name("elsewhere"))
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("FAILED org.apache.kafka.common.errors.TopicAuthorizationException", r.stderr)

    def test_client_without_certificate_is_refused(self):
        r = self.java(self.client_properties(), self.prefix + "nocert")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr + self.broker_log())
        self.assertIn("FAILED org.apache.kafka.common.errors.SslAuthenticationException", r.stderr)
        self.assertTrue(self.broker.is_running())


class SaslSsl(JavaClientTestCase):
    protocol = "SASL_SSL"
    extra_flags = {"super_users": "User:" + ADMIN}

    def test_each_mechanism_produces_and_consumes(self):
        for mechanism in MECHANISMS:
            with self.subTest(mechanism=mechanism):
                self.assert_round_trip(self.client_properties(mechanism),
                                       unique_name("java-sasl-ssl"))

    def test_wrong_password_is_a_sasl_authentication_exception(self):
        self.assert_fails_with(self.client_properties("SCRAM-SHA-256", password="wrong-pw"),
                               "SaslAuthenticationException",
                               "invalid credentials with SASL mechanism SCRAM-SHA-256")

    def test_kafka_topics_over_sasl_ssl_with_command_config(self):
        config = self.client_properties("SCRAM-SHA-512", user=ADMIN, password=ADMIN_PW)
        topic = unique_name("tools-sasl-ssl")

        def kafka_topics(*args):
            r = kafka_dist.run_tool("kafka-topics", "--bootstrap-server", self.broker.bootstrap,
                                    "--command-config", config, *args)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr + self.broker_log())
            return r.stdout

        self.assertIn("Created topic %s." % topic,
                      kafka_topics("--create", "--topic", topic, "--partitions", "3"))
        self.assertIn(topic, kafka_topics("--list").split())
        described = kafka_topics("--describe", "--topic", topic)
        self.assertIn("PartitionCount: 3", described)
        self.assertEqual(len([line for line in described.splitlines() if "Partition:" in line]), 3)

        wrong = self.client_properties("SCRAM-SHA-512", user=ADMIN, password="wrong-pw")
        r = kafka_dist.run_tool("kafka-topics", "--bootstrap-server", self.broker.bootstrap,
                                "--command-config", wrong, "--list")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("SaslAuthenticationException", r.stdout + r.stderr)

    def test_kafka_configs_manages_scram_users_over_sasl_ssl(self):
        # `sluice users` speaks plaintext only; over TLS Kafka's own tool does the job
        # through AlterUserScramCredentials / DescribeUserScramCredentials.
        config = self.client_properties("SCRAM-SHA-512", user=ADMIN, password=ADMIN_PW)
        bob, bob_pw = unique_name("bob"), "bob-secret-1"

        def kafka_configs(*args):
            r = kafka_dist.run_tool("kafka-configs", "--bootstrap-server", self.broker.bootstrap,
                                    "--command-config", config, "--entity-type", "users", *args)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr + self.broker_log())
            return r.stdout

        kafka_configs("--alter", "--entity-name", bob,
                      "--add-config", "SCRAM-SHA-256=[iterations=8192,password=%s]" % bob_pw)
        described = kafka_configs("--describe", "--entity-name", bob)
        self.assertIn("SCRAM-SHA-256=iterations=8192", described)
        # The new user logs in at once.
        self.assert_round_trip(self.client_properties("SCRAM-SHA-256", user=bob, password=bob_pw),
                               unique_name("java-new-user"))
        kafka_configs("--alter", "--entity-name", bob, "--delete-config", "SCRAM-SHA-256")
        self.assertNotIn("SCRAM-SHA-256", kafka_configs("--describe", "--entity-name", bob))
        self.assert_fails_with(self.client_properties("SCRAM-SHA-256", user=bob, password=bob_pw),
                               "SaslAuthenticationException", "invalid credentials")


if __name__ == "__main__":
    unittest.main()
