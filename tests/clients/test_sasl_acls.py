"""Authentication and authorization together, as a secured deployment runs them:
a SASL_PLAINTEXT broker with `--authorizer acl`. Each user is its own principal
(User:NAME from SASL), ACLs decide per principal, a super user manages both
credentials and ACLs online, and a denial names the principal that was refused."""

import os
import subprocess

import broker  # noqa: F401  (makes the Debian client packages importable)
from broker import BrokerTestCase, sluice_bin, unique_name
from confluent_kafka import KafkaError
from test_acls import deliver
from test_sasl import users

ADMIN, ADMIN_PW = "admin", "admin-secret-pw"
USERS = {"alice": "alice-secret-pw", "bob": "bob-secret-pw"}


def sasl_conf(user, password):
    return {"security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": "SCRAM-SHA-512",
            "sasl.username": user, "sasl.password": password}


class PrincipalsComeFromSasl(BrokerTestCase):
    start_broker_in_setup = False

    def setUp(self):
        super().setUp()
        self.topic = unique_name("shared.orders")
        b = broker.BrokerProcess(tmpdir=os.path.join(self._tmp.name, "b"), start=False,
                                 security_protocol="SASL_PLAINTEXT", super_users="User:" + ADMIN,
                                 authorizer="acl")
        self.brokers.append(b)
        os.makedirs(b.data_dir, exist_ok=True)
        for user, pw in [(ADMIN, ADMIN_PW)] + list(USERS.items()):
            r = users("add", user, "--data-dir", b.data_dir, "--password-stdin", password=pw + "\n")
            self.assertEqual(r.returncode, 0, r.stderr)
        # Only alice may write (and create) topics named shared.*; bob has no rule at all.
        self.acls("add", "--data-dir", b.data_dir, "--allow-principal", "User:alice",
                  "--operation", "Write", "--operation", "Create", "--topic", "shared.",
                  "--resource-pattern-type", "prefixed")
        self.broker = b.start()

    def acls(self, *args, env=None):
        run = subprocess.run([sluice_bin(), "acls"] + list(args), capture_output=True, text=True,
                             timeout=60, env={**os.environ, **(env or {})})
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        return run

    def test_each_user_gets_what_its_own_acls_allow(self):
        self.assertIsNone(deliver(self.broker.bootstrap, self.topic, b"from alice",
                                  **sasl_conf("alice", USERS["alice"])))
        err = deliver(self.broker.bootstrap, self.topic, b"from bob", **sasl_conf("bob", USERS["bob"]))
        self.assertIsNotNone(err, "bob has no ACL and must be refused")
        self.assertEqual(err.code(), KafkaError.TOPIC_AUTHORIZATION_FAILED, err)
        self.assertIn("User:bob", self.broker.stderr_tail(200), "the denial names the principal")

    def test_a_super_user_grants_online_and_the_grant_takes_effect(self):
        admin_env = {"SLUICE_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
                     "SLUICE_SASL_MECHANISM": "SCRAM-SHA-256",
                     "SLUICE_SASL_USERNAME": ADMIN, "SLUICE_SASL_PASSWORD": ADMIN_PW}
        self.acls("add", "--bootstrap", self.broker.bootstrap, "--allow-principal", "User:bob",
                  "--operation", "Write", "--operation", "Create", "--topic", self.topic, env=admin_env)
        listed = self.acls("list", "--bootstrap", self.broker.bootstrap, "--topic", self.topic,
                           env=admin_env).stdout
        self.assertRegex(listed, r"User:bob\s+\*\s+WRITE\s+ALLOW")
        self.assertIsNone(deliver(self.broker.bootstrap, self.topic, b"from bob",
                                  **sasl_conf("bob", USERS["bob"])))

    def test_a_user_without_alter_on_the_cluster_cannot_grant_itself(self):
        bob_env = {"SLUICE_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
                   "SLUICE_SASL_MECHANISM": "SCRAM-SHA-256",
                   "SLUICE_SASL_USERNAME": "bob", "SLUICE_SASL_PASSWORD": USERS["bob"]}
        run = subprocess.run([sluice_bin(), "acls", "add", "--bootstrap", self.broker.bootstrap,
                              "--allow-principal", "User:bob", "--operation", "All", "--topic", "*"],
                             capture_output=True, text=True, timeout=60, env={**os.environ, **bob_env})
        self.assertNotEqual(run.returncode, 0, run.stdout)
        self.assertIn("CLUSTER_AUTHORIZATION_FAILED", (run.stdout + run.stderr).upper().replace(" ", "_"))
        err = deliver(self.broker.bootstrap, self.topic, b"still bob", **sasl_conf("bob", USERS["bob"]))
        self.assertIsNotNone(err)
        self.assertEqual(err.code(), KafkaError.TOPIC_AUTHORIZATION_FAILED, err)


if __name__ == "__main__":
    import unittest
    unittest.main()
