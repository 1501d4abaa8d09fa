"""TLS on `sluice broker` (SSL and SASL_SSL listeners, --ssl-* flags): kcat and
confluent_kafka produce and consume over SSL and SASL_SSL; a client that does
not trust the broker's CA fails with a certificate error while the broker keeps
serving others; a plaintext client on the TLS port fails and the broker logs the
failed handshake; with --ssl-client-auth required a client without a
certificate is refused, and one with a certificate is served as User:<subject
DN>, which an ACL for exactly that principal proves (--authorizer acl denies
everyone else).

The certificates (tls_certs.py: a CA, a server certificate for IP 127.0.0.1, a
client certificate signed by the CA, and a second, unrelated CA) are made into a
temporary directory once per module."""

import os
import shutil
import socket
import ssl
import struct
import subprocess
import tempfile
import unittest

import broker  # noqa: F401  (makes the Debian client packages importable)
from broker import BrokerTestCase, sluice_bin, unique_name, wait_until

import confluent_kafka
from tls_certs import CLIENT_DN, make_test_certs

ADMIN, ADMIN_PW = "admin", "admin-secret-pw"

CERTS = {}  # name -> path, filled by setUpModule
_certs_dir = None


def setUpModule():
    global _certs_dir
    _certs_dir = tempfile.mkdtemp(prefix="sluice-tls-")
    CERTS.update(make_test_certs(_certs_dir))


def tearDownModule():
    if _certs_dir:
        shutil.rmtree(_certs_dir, ignore_errors=True)


def server_flags(**extra):
    flags = {"ssl_certificate": CERTS["server"], "ssl_key": CERTS["server_key"]}
    flags.update(extra)
    return flags


def ssl_conf(protocol="SSL", ca="ca", client_cert=False):
    """librdkafka settings (kcat -X and confluent_kafka alike)."""
    conf = {"security.protocol": protocol, "ssl.ca.location": CERTS[ca],
            "ssl.endpoint.identification.algorithm": "https"}
    if client_cert:
        conf["ssl.certificate.location"] = CERTS["client"]
        conf["ssl.key.location"] = CERTS["client_key"]
    return conf


def sasl_conf(user=ADMIN, password=ADMIN_PW):
    return {"sasl.mechanisms": "SCRAM-SHA-256", "sasl.username": user,
            "sasl.password": password}


class TlsTestCase(BrokerTestCase):
    def kcat(self, conf, *args, data=None, b=None):
        cmd = ["kcat", "-b", (b or self.broker).bootstrap]
        for key, value in conf.items():
            cmd += ["-X", "%s=%s" % (key, value)]
        return subprocess.run(cmd + list(args), input=data, text=True, capture_output=True,
                              timeout=60)

    def kcat_round_trip(self, conf, topic):
        lines = ["%s-%d" % (topic, i) for i in range(20)]
        r = self.kcat(conf, "-P", "-t", topic, data="\n".join(lines) + "\n")
        self.assertEqual(r.returncode, 0, r.stderr + self.broker_log())
        r = self.kcat(conf, "-C", "-t", topic, "-e", "-q")
        self.assertEqual(r.returncode, 0, r.stderr + self.broker_log())
        self.assertEqual(r.stdout.split(), lines)

    def ck_round_trip(self, conf, topic, count=50):
        base = {"bootstrap.servers": self.broker.bootstrap, "broker.address.family": "v4"}
        base.update(conf)
        p = confluent_kafka.Producer({**base, "acks": "all"})
        for i in range(count):
            p.produce(topic, value=b"v%d" % i)
        self.assertEqual(p.flush(30), 0, self.broker_log())
        c = confluent_kafka.Consumer({**base, "group.id": unique_name("g"),
                                      "auto.offset.reset": "earliest"})
        try:
            c.assign([confluent_kafka.TopicPartition(topic, 0, 0)])
            got = []
            for _ in range(300):
                if len(got) == count:
                    break
                m = c.poll(0.2)
                if m is not None and not m.error():
                    got.append(m.value())
            self.assertEqual(got, [b"v%d" % i for i in range(count)], self.broker_log())
        finally:
            c.close()

    def wait_for_log(self, text):
        def logged():
            with open(self.broker.stderr_path, errors="replace") as f:
                return text in f.read()
        wait_until(logged, 20, message="broker log line containing %r" % text)


class SslListener(TlsTestCase):
    start_broker_in_setup = False

    def setUp(self):
        super().setUp()
        self.broker = self.start_broker(**server_flags(security_protocol="SSL"), admin="127.0.0.1:0")

    def test_kcat_produces_and_consumes(self):
        self.kcat_round_trip(ssl_conf(), unique_name("kcat-ssl"))
        self.assertEqual(self.broker.metric("sluice_broker_tls_handshake_failures_total"), 0)

    def test_confluent_kafka_produces_and_consumes(self):
        self.ck_round_trip(ssl_conf(), unique_name("ck-ssl"))

    def test_untrusting_client_gets_a_certificate_error_and_others_are_served(self):
        r = self.kcat(ssl_conf(ca="other_ca"), "-L", "-m", "5")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("certificate verify failed", r.stderr)
        self.wait_for_log("TLS handshake with 127.0.0.1")
        self.kcat_round_trip(ssl_conf(), unique_name("after-bad-client"))

    def test_plaintext_client_fails_cleanly_and_is_logged(self):
        r = self.kcat({"security.protocol": "PLAINTEXT"}, "-L", "-m", "5")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.wait_for_log("(a client not using TLS? it needs security.protocol SSL or SASL_SSL)")
        self.assertGreaterEqual(self.broker.metric("sluice_broker_tls_handshake_failures_total"), 1)
        self.assertTrue(self.broker.is_running())
        self.kcat_round_trip(ssl_conf(), unique_name("after-plaintext"))


class SaslSslListener(TlsTestCase):
    start_broker_in_setup = False

    def setUp(self):
        super().setUp()
        sub = tempfile.mkdtemp(prefix="broker-", dir=self._tmp.name)
        b = broker.BrokerProcess(tmpdir=sub, start=False,
                                 **server_flags(security_protocol="SASL_SSL"))
        self.brokers.append(b)
        os.makedirs(b.data_dir, exist_ok=True)
        r = subprocess.run([sluice_bin(), "users", "add", ADMIN, "--data-dir", b.data_dir,
                            "--password-stdin"], input=ADMIN_PW + "\n", text=True,
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.broker = b.start()

    def test_kcat_and_confluent_kafka_produce_and_consume(self):
        conf = {**ssl_conf("SASL_SSL"), **sasl_conf()}
        self.kcat_round_trip(conf, unique_name("kcat-sasl-ssl"))
        self.ck_round_trip(conf, unique_name("ck-sasl-ssl"))

    def test_wrong_password_is_still_refused_over_tls(self):
        r = self.kcat({**ssl_conf("SASL_SSL"), **sasl_conf(password="wrong-pw")}, "-L", "-m",
                      "10")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("Authentication failed", r.stderr)


class MutualTls(TlsTestCase):
    """--ssl-client-auth required: the certificate subject is the principal, and
    only it has an ACL."""

    start_broker_in_setup = False

    def setUp(self):
        super().setUp()
        sub = tempfile.mkdtemp(prefix="broker-", dir=self._tmp.name)
        b = broker.BrokerProcess(tmpdir=sub, start=False, authorizer="acl",
                                 **server_flags(security_protocol="SSL", ssl_ca=CERTS["ca"],
                                                ssl_client_auth="required"))
        self.brokers.append(b)
        self.prefix = unique_name("mtls") + "."
        r = subprocess.run([sluice_bin(), "acls", "add", "--data-dir", b.data_dir,
                            "--allow-principal", "User:" + CLIENT_DN, "--topic", self.prefix,
                            "--resource-pattern-type", "prefixed"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.broker = b.start()

    def test_client_without_certificate_is_refused(self):
        r = self.kcat(ssl_conf(), "-L", "-m", "5")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.wait_for_log("TLS handshake with 127.0.0.1")
        self.assertTrue(self.broker.is_running())

    def test_certificate_subject_is_the_principal(self):
        conf = ssl_conf(client_cert=True)
        self.kcat_round_trip(conf, self.prefix + "orders")
        # The same client on a topic its principal has no ACL for is denied:
        # the round trip above passed because of the certificate's subject.
        r = self.kcat(conf, "-P", "-t", unique_name("elsewhere"), data="x\n")
        self.assertNotEqual(r.returncode, 0, self.broker_log())
        self.assertIn("authoriz", r.stderr.lower())

    def test_a_resumed_tls_session_is_served(self):
        # Apache Kafka's Java client resumes its TLS session on a second connection; with
        # client certificates verified, OpenSSL refuses that unless the broker set a session
        # id context ("session id context uninitialized").
        ctx = ssl.create_default_context(cafile=CERTS["ca"])
        ctx.load_cert_chain(CERTS["client"], CERTS["client_key"])

        def api_versions(session=None):
            with socket.create_connection(("127.0.0.1", self.broker.port), timeout=10) as raw:
                with ctx.wrap_socket(raw, server_hostname="127.0.0.1", session=session) as s:
                    header = struct.pack(">hhih", 18, 0, 1, 4) + b"test"  # ApiVersions v0
                    s.sendall(struct.pack(">i", len(header)) + header)
                    head = b""
                    while len(head) < 4:
                        chunk = s.recv(4 - len(head))
                        self.assertTrue(chunk, "the broker closed the connection")
                        head += chunk
                    self.assertGreater(struct.unpack(">i", head)[0], 6)
                    # The session (a TLS 1.3 ticket) is known once the server has written.
                    return s.session, s.session_reused

        session, reused = api_versions()
        self.assertFalse(reused)
        _, reused = api_versions(session)
        self.assertTrue(reused, "the broker did not resume the TLS session")


if __name__ == "__main__":
    unittest.main()
