"""SASL authentication on `sluice broker --security-protocol SASL_PLAINTEXT`:
kcat, confluent_kafka and kafka-python produce and consume with PLAIN,
SCRAM-SHA-256 and SCRAM-SHA-512; a wrong password is refused with
SASL_AUTHENTICATION_FAILED and a clear message (the broker logs principal and
peer, never the password); nothing but ApiVersions/SASL is served before
authentication; `sluice users add|list|delete` work online (super users only)
and offline, and credentials survive a restart with no password on disk."""

import logging
import os
import re
import socket
import struct
import subprocess
import unittest

import broker  # noqa: F401  (makes the Debian client packages importable)
from broker import BrokerTestCase, sluice_bin, unique_name

import confluent_kafka
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

logging.getLogger("kafka").setLevel(logging.CRITICAL)

MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
ADMIN, ADMIN_PW = "admin", "admin-secret-pw"
ALICE, ALICE_PW = "alice", "alice-secret-pw"


def users(*args, password=None, env=None):
    """Runs `sluice users ...`; returns the CompletedProcess."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sluice_bin(), "users"] + list(args), input=password, text=True,
                          capture_output=True, timeout=60, env=full_env)


def login_env(user, password, mechanism="SCRAM-SHA-256"):
    return {"SLUICE_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "SLUICE_SASL_MECHANISM": mechanism,
            "SLUICE_SASL_USERNAME": user, "SLUICE_SASL_PASSWORD": password}


class SaslBrokerTestCase(BrokerTestCase):
    start_broker_in_setup = False

    def setUp(self):
        super().setUp()
        self.broker = self.start_sasl_broker()

    def start_sasl_broker(self, **flags):
        """A broker whose data dir got its users offline before it first started."""
        b = broker.BrokerProcess(tmpdir=os.path.join(self._tmp.name, "b"), start=False,
                                 security_protocol="SASL_PLAINTEXT", super_users="User:" + ADMIN,
                                 **flags)
        self.brokers.append(b)
        os.makedirs(b.data_dir, exist_ok=True)
        for user, pw in ((ADMIN, ADMIN_PW), (ALICE, ALICE_PW)):
            r = users("add", user, "--data-dir", b.data_dir, "--password-stdin", password=pw + "\n")
            self.assertEqual(r.returncode, 0, r.stderr)
        return b.start()

    def kcat(self, *args, user=ADMIN, password=ADMIN_PW, mechanism="SCRAM-SHA-256", data=None):
        cmd = ["kcat", "-b", self.broker.bootstrap, "-X", "security.protocol=SASL_PLAINTEXT",
               "-X", "sasl.mechanisms=" + mechanism, "-X", "sasl.username=" + user,
               "-X", "sasl.password=" + password] + list(args)
        return subprocess.run(cmd, input=data, text=True, capture_output=True, timeout=60)

    def ck_conf(self, user, password, mechanism, **extra):
        conf = {"bootstrap.servers": self.broker.bootstrap, "security.protocol": "SASL_PLAINTEXT",
                "sasl.mechanisms": mechanism, "sasl.username": user, "sasl.password": password}
        conf.update(extra)
        return conf

    def can_login(self, user, password, mechanism="SCRAM-SHA-256"):
        r = self.kcat("-L", "-m", "10", user=user, password=password, mechanism=mechanism)
        return r.returncode == 0


class ClientsAuthenticate(SaslBrokerTestCase):
    def test_kcat_produces_and_consumes_with_each_mechanism(self):
        for mechanism in MECHANISMS:
            with self.subTest(mechanism=mechanism):
                topic = unique_name("kcat-sasl")
                lines = ["%s-%d" % (mechanism, i) for i in range(20)]
                r = self.kcat("-P", "-t", topic, mechanism=mechanism, data="\n".join(lines) + "\n")
                self.assertEqual(r.returncode, 0, r.stderr + self.broker_log())
                r = self.kcat("-C", "-t", topic, "-e", "-q", user=ALICE, password=ALICE_PW,
                              mechanism=mechanism)
                self.assertEqual(r.returncode, 0, r.stderr + self.broker_log())
                self.assertEqual(r.stdout.split(), lines)

    def test_confluent_kafka_produces_and_consumes_with_each_mechanism(self):
        for mechanism in MECHANISMS:
            with self.subTest(mechanism=mechanism):
                topic = unique_name("ck-sasl")
                p = confluent_kafka.Producer(self.ck_conf(ALICE, ALICE_PW, mechanism, acks="all"))
                for i in range(50):
                    p.produce(topic, value=b"v%d" % i)
                self.assertEqual(p.flush(30), 0, self.broker_log())
                c = confluent_kafka.Consumer(self.ck_conf(
                    ALICE, ALICE_PW, mechanism, **{"group.id": unique_name("g"),
                                                   "auto.offset.reset": "earliest"}))
                try:
                    c.assign([confluent_kafka.TopicPartition(topic, 0, 0)])
                    got = []
                    for _ in range(300):
                        if len(got) == 50:
                            break
                        m = c.poll(0.2)
                        if m is not None and not m.error():
                            got.append(m.value())
                    self.assertEqual(got, [b"v%d" % i for i in range(50)], self.broker_log())
                finally:
                    c.close()

    def test_kafka_python_produces_and_consumes_with_each_mechanism(self):
        for mechanism in MECHANISMS:
            with self.subTest(mechanism=mechanism):
                topic = unique_name("kp-sasl")
                auth = dict(bootstrap_servers=self.broker.bootstrap,
                            security_protocol="SASL_PLAINTEXT", sasl_mechanism=mechanism,
                            sasl_plain_username=ALICE, sasl_plain_password=ALICE_PW)
                p = KafkaProducer(acks="all", **auth)
                try:
                    for i in range(30):
                        p.send(topic, b"k%d" % i)
                    p.flush(30)
                finally:
                    p.close()
                c = KafkaConsumer(group_id=None, auto_offset_reset="earliest",
                                  consumer_timeout_ms=10000, **auth)
                try:
                    c.assign([TopicPartition(topic, 0)])
                    got = [m.value for _, m in zip(range(30), c)]
                finally:
                    c.close()
                self.assertEqual(got, [b"k%d" % i for i in range(30)], self.broker_log())


class SluiceClientsLogIn(SaslBrokerTestCase):
    def sluice(self, *args, env=None, data=None):
        full_env = dict(os.environ)
        full_env.update(env or {})
        return subprocess.run([sluice_bin()] + list(args), input=data, text=True,
                              capture_output=True, timeout=90, env=full_env)

    def test_cli_clients_take_sasl_settings_from_the_environment(self):
        topic = unique_name("cli-sasl")
        as_alice = login_env(ALICE, ALICE_PW, "SCRAM-SHA-512")
        r = self.sluice("topics", "create", topic, "--bootstrap", self.broker.bootstrap,
                        env=as_alice)
        self.assertEqual(r.returncode, 0, r.stderr + self.broker_log())
        r = self.sluice("topics", "produce", topic, "-q", "--bootstrap", self.broker.bootstrap,
                        env=as_alice, data="one\ntwo\n")
        self.assertEqual(r.returncode, 0, r.stderr + self.broker_log())
        r = self.sluice("topics", "consume", topic, "--bootstrap", self.broker.bootstrap,
                        env=as_alice)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([line.split('"value":"')[1].split('"')[0]
                          for line in r.stdout.splitlines()], ["one", "two"])
        r = self.kcat("-C", "-t", topic, "-e", "-q")
        self.assertEqual(r.stdout.split(), ["one", "two"])

        r = self.sluice("broker", "check", "--bootstrap", self.broker.bootstrap,
                        "--timeout-ms", "3000")
        self.assertNotEqual(r.returncode, 0, "a CLI without credentials reached a SASL broker")
        r = self.sluice("broker", "check", "--bootstrap", self.broker.bootstrap, env=as_alice)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


    def test_the_profile_supplies_the_login(self):
        profile = os.path.join(self._tmp.name, "profile.yaml")
        with open(profile, "w") as f:
            f.write("bootstrap: %s\nsecurity.protocol: SASL_PLAINTEXT\n"
                    "sasl.mechanism: SCRAM-SHA-256\nsasl.username: %s\nsasl.password: %s\n"
                    % (self.broker.bootstrap, ALICE, ALICE_PW))
        r = self.sluice("broker", "check", env={"SLUICE_CONFIG": profile})
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr + self.broker_log())
        # The environment wins over the profile: a wrong password there is used, and refused.
        r = self.sluice("broker", "check", "--timeout-ms", "3000",
                        env={"SLUICE_CONFIG": profile, "SLUICE_SASL_PASSWORD": "wrong"})
        self.assertNotEqual(r.returncode, 0)


class Refusals(SaslBrokerTestCase):
    def test_wrong_password_is_sasl_authentication_failed_with_a_clear_message(self):
        errors = []
        conf = self.ck_conf(ALICE, "not-the-password", "SCRAM-SHA-512",
                            error_cb=lambda e: errors.append(e))
        p = confluent_kafka.Producer(conf)
        p.produce(unique_name("t"), b"x")
        for _ in range(50):
            p.poll(0.1)
            if errors:
                break
        self.assertTrue(errors, "no error reported for a wrong password")
        self.assertEqual(errors[0].code(), confluent_kafka.KafkaError._AUTHENTICATION)
        self.assertIn("invalid credentials with SASL mechanism SCRAM-SHA-512", errors[0].str())
        p.purge()

        r = self.kcat("-L", password="wrong-plain-pw", mechanism="PLAIN")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("Invalid username or password", r.stderr)

        log = self.broker.stderr_tail(200)
        self.assertRegex(log, r'authentication failed for principal "User:alice" from 127\.0\.0\.1:')
        self.assertRegex(log, r'authentication failed for principal "User:admin" from 127\.0\.0\.1:')
        self.assertNotIn("not-the-password", log)
        self.assertNotIn("wrong-plain-pw", log)

    def test_logins_are_counted_by_mechanism_and_result(self):
        self.broker.stop()
        self.broker = self.start_sasl_broker(admin="127.0.0.1:0")
        self.assertTrue(self.can_login(ALICE, ALICE_PW, "SCRAM-SHA-256"))
        self.assertFalse(self.can_login(ALICE, "wrong", "SCRAM-SHA-256"))
        self.assertFalse(self.can_login(ALICE, "wrong", "PLAIN"))

        def count(mechanism, result):
            return self.broker.metric("sluice_broker_authentications_total", mechanism=mechanism,
                                      result=result) or 0.0
        self.assertGreaterEqual(count("SCRAM-SHA-256", "success"), 1)
        self.assertGreaterEqual(count("SCRAM-SHA-256", "failure"), 1)
        self.assertGreaterEqual(count("PLAIN", "failure"), 1)
        self.assertEqual(count("PLAIN", "success"), 0)

    def test_requests_before_authentication_close_the_connection(self):
        # Metadata v0 with no SASL first: the broker closes without answering.
        body = struct.pack(">hhih", 3, 0, 7, 4) + b"test" + struct.pack(">i", -1)
        with socket.create_connection(("127.0.0.1", self.broker.port), timeout=10) as s:
            s.sendall(struct.pack(">i", len(body)) + body)
            self.assertEqual(s.recv(100), b"", "the broker answered before authentication")
        self.assertIn("API key 3 before SASL authentication", self.broker.stderr_tail(50))

        plain = subprocess.run(["kcat", "-b", self.broker.bootstrap, "-L", "-m", "5"],
                               capture_output=True, text=True, timeout=60)
        self.assertNotEqual(plain.returncode, 0, "a client without SASL got metadata")

    def test_unknown_user_is_refused_like_a_wrong_password(self):
        self.assertFalse(self.can_login("mallory", "guess"))
        self.assertTrue(self.can_login(ALICE, ALICE_PW, "SCRAM-SHA-512"))


class UsersCommand(SaslBrokerTestCase):
    def test_online_add_list_delete_as_super_user(self):
        as_admin = login_env(ADMIN, ADMIN_PW)
        r = users("add", "bob", "--bootstrap", self.broker.bootstrap, "--password-stdin",
                  password="bob-pw\n", env=as_admin)
        self.assertEqual(r.returncode, 0, r.stderr + self.broker_log())
        for mechanism in MECHANISMS:
            self.assertTrue(self.can_login("bob", "bob-pw", mechanism), mechanism)

        r = users("list", "--json", "--bootstrap", self.broker.bootstrap,
                  env=login_env(ADMIN, ADMIN_PW, "PLAIN"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('{"user":"bob","mechanism":"SCRAM-SHA-512","iterations":4096}', r.stdout)

        r = users("delete", "bob", "--bootstrap", self.broker.bootstrap, env=as_admin)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(self.can_login("bob", "bob-pw"))

    def test_only_super_users_may_alter_or_list(self):
        as_alice = login_env(ALICE, ALICE_PW, "SCRAM-SHA-512")
        r = users("add", "eve", "--bootstrap", self.broker.bootstrap, "--password-stdin",
                  password="eve-pw\n", env=as_alice)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not allowed to alter SCRAM credentials", r.stderr)
        r = users("list", "--bootstrap", self.broker.bootstrap, env=as_alice)
        self.assertNotEqual(r.returncode, 0)
        self.assertFalse(self.can_login("eve", "eve-pw"))

        r = users("list", "--bootstrap", self.broker.bootstrap)  # no login at all
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("SLUICE_SECURITY_PROTOCOL", r.stderr)

    def test_credentials_survive_restart_and_offline_changes_and_hold_no_password(self):
        r = users("add", "carol", "--bootstrap", self.broker.bootstrap, "--password-stdin",
                  password="carol-pw\n", env=login_env(ADMIN, ADMIN_PW))
        self.assertEqual(r.returncode, 0, r.stderr)
        # Offline changes while the broker runs would be lost when it next writes
        # the file, and it would never read them: refused, naming the holder.
        r = users("delete", ALICE, "--data-dir", self.broker.data_dir)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("is in use by sluice broker (pid %d)" % self.broker.pid, r.stderr)
        self.assertIn("leave out --data-dir", r.stderr)
        self.broker.stop()
        r = users("delete", ALICE, "--data-dir", self.broker.data_dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = users("list", "--data-dir", self.broker.data_dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("carol", r.stdout)
        self.assertNotIn(ALICE, r.stdout)
        self.broker.start()
        self.assertTrue(self.can_login("carol", "carol-pw", "SCRAM-SHA-512"))
        self.assertTrue(self.can_login(ADMIN, ADMIN_PW, "PLAIN"))
        self.assertFalse(self.can_login(ALICE, ALICE_PW))

        with open(os.path.join(self.broker.data_dir, "security", "scram-credentials"), "rb") as f:
            stored = f.read()
        for pw in (ADMIN_PW, ALICE_PW, "carol-pw"):
            self.assertNotIn(pw.encode(), stored)


if __name__ == "__main__":
    unittest.main()
