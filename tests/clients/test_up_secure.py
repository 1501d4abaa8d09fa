"""`sluice up --secure` (docs/up.md): the claims example behind a SASL_SSL-only
built-in broker. It accounts for every event exactly once, as the plain demo
does; what it prints is enough to connect (confluent_kafka with the CA,
user and password file lists the topics; kcat with the properties file and
`sluice topics list` with the profile it writes); a plaintext client on the
same port, or one not trusting the demo's CA, gets nothing; secrets and keys
are mode 0600; and a second run reuses the CA and the password."""

import json
import os
import re
import signal
import stat
import subprocess

import broker  # noqa: F401  (makes the Debian client packages importable)
import confluent_kafka
from broker import REPO_ROOT, sluice_bin, wait_until
from confluent_kafka.admin import AdminClient
from up_session import UpSession

COUNT = 120


class UpSecure(UpSession):

    def start_secure(self, *args):
        self.out_path = os.path.join(self.tmp, "up.out")
        with open(self.out_path, "w") as out, open(os.path.join(self.tmp, "up.err"), "w") as err:
            self.up = subprocess.Popen([sluice_bin(), "up", "examples/claims-attachments", "--data-dir", self.data,
                                        "--port", "0", "--secure"] + list(args),
                                       cwd=REPO_ROOT, env=self.env, stdout=out, stderr=err, start_new_session=True)
        self.children.append(self.up)
        wait_until(lambda: "password file" in self.up_err() or self.up.poll() is not None, 120,
                   message="the connection lines")
        self.assertIsNone(self.up.poll(), self.up_err())
        err = self.up_err()
        return {
            "bootstrap": re.search(r"secure: the broker at (\S+) takes SASL_SSL only", err).group(1),
            "ca": re.search(r"CA certificate (\S+) \(ssl.ca.location\)", err).group(1),
            "user": re.search(r"user +(\S+) \(sasl.username", err).group(1),
            "password_file": re.search(r"password file +(\S+) \(sasl.password_file", err).group(1),
        }

    def stop_and_summary(self, timeout=300):
        os.killpg(self.up.pid, signal.SIGINT)
        self.assertEqual(self.up.wait(timeout=timeout), 0, self.up_err()[-4000:])
        with open(self.out_path) as f:
            return f.read()

    def ck_conf(self, c, **extra):
        with open(c["password_file"]) as f:
            password = f.read().strip()
        conf = {"bootstrap.servers": c["bootstrap"], "security.protocol": "SASL_SSL",
                "sasl.mechanisms": "SCRAM-SHA-512", "sasl.username": c["user"], "sasl.password": password,
                "ssl.ca.location": c["ca"]}
        conf.update(extra)
        return conf

    def test_the_secure_demo_accounts_for_every_event_and_says_how_to_connect(self):
        c = self.start_secure("--count", str(COUNT), "--rate", "200", "--bad-share", "0.3", "--keep-running",
                              "--drain-timeout", "120")
        security = os.path.join(self.data, "security")
        for name in ("ca.key", "broker.key", "sluice.password", "client.properties"):
            mode = stat.S_IMODE(os.stat(os.path.join(security, name)).st_mode)
            self.assertEqual(mode, 0o600, "%s is %o" % (name, mode))

        # confluent_kafka with what was printed: the CA, the user, the password file.
        admin = AdminClient(self.ck_conf(c))
        topics = wait_until(lambda: "claims.events" in admin.list_topics(timeout=30).topics, 120,
                            interval=0.5, message="claims.events listed over SASL_SSL")
        self.assertTrue(topics)

        # kcat with the properties file `sluice up` wrote.
        kcat = subprocess.run(["kcat", "-F", os.path.join(security, "client.properties"), "-L"],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(kcat.returncode, 0, kcat.stderr)
        self.assertIn('topic "claims.events"', kcat.stdout)

        # sluice's own CLIs with the profile it printed, and with only the data dir named:
        # nothing else says which cluster or login, so the CLI takes the demo's.
        for named in ({"SLUICE_CONFIG": os.path.join(security, "profile.yaml")},
                      {"SLUICE_DATA_DIR": self.data}):
            env = {k: v for k, v in self.env.items()
                   if not k.startswith(("SLUICE_SASL", "SLUICE_SECURITY", "SLUICE_SSL",
                                        "SLUICE_BOOTSTRAP", "SLUICE_CONFIG", "SLUICE_DATA_DIR"))}
            topics = subprocess.run([sluice_bin(), "topics", "list"], capture_output=True, text=True,
                                    timeout=60, env=dict(env, **named))
            self.assertEqual(topics.returncode, 0, "%s: %s" % (named, topics.stderr))
            self.assertIn("claims.events", topics.stdout)

        # A plaintext client on the same port is refused: no metadata ever comes back.
        plain = AdminClient({"bootstrap.servers": c["bootstrap"], "socket.timeout.ms": 3000})
        with self.assertRaises(confluent_kafka.KafkaException):
            plain.list_topics(timeout=5)
        # ... and so is a client that does not trust the demo's CA.
        untrusting = AdminClient(self.ck_conf(c, **{"ssl.ca.location": "/etc/ssl/certs/ca-certificates.crt"}))
        with self.assertRaises(confluent_kafka.KafkaException):
            untrusting.list_topics(timeout=5)

        wait_until(lambda: "all %d demo events sent" % COUNT in self.up_err(), 300, interval=0.5,
                   message="the demo source to send every event")
        summary = self.stop_and_summary()
        self.assertIn("OK: every event is accounted for exactly once", summary)
        self.assertRegex(summary, r"events in:\s+%d " % COUNT)
        rows = int(re.search(r"table rows:\s+(\d+)", summary).group(1))
        dead = int(re.search(r"DLQ records:\s+(\d+)", summary).group(1))
        self.assertGreater(rows, 0)
        self.assertGreater(dead, 0)
        with open(os.path.join(self.data, "logs", "broker.log")) as f:
            broker_log = f.read()
        self.assertIn('authenticated as \\"User:sluice\\" with SASL SCRAM-SHA-512', broker_log)
        self.assertIn("TLS handshake with", broker_log)  # the plaintext and untrusting clients

        # A second run keeps the CA and the password, so configured clients keep working.
        with open(c["ca"], "rb") as f:
            ca = f.read()
        with open(c["password_file"]) as f:
            password = f.read()
        again = self.start_secure("--no-source")
        with open(again["ca"], "rb") as f:
            self.assertEqual(f.read(), ca)
        with open(again["password_file"]) as f:
            self.assertEqual(f.read(), password)
        self.assertIn("claims.events", AdminClient(self.ck_conf(again)).list_topics(timeout=30).topics)
        # `sluice validate --data-dir` finds the broker and its login by itself.
        wait_until(lambda: self.processes().get("broker", {}).get("admin") == again["bootstrap"], 60,
                   message="the process table to name the new broker")
        validate = self.sluice("validate", "examples/claims-attachments/pipeline.yaml", "--data-dir", self.data)
        self.assertEqual(validate.returncode, 0, validate.stdout + validate.stderr)
        self.assertRegex(validate.stdout, r"events in:\s+%d " % COUNT)
        self.assertIn("OK: every event is accounted for exactly once", validate.stdout)
        # ... and so does `sluice health`.
        health = self.sluice("health", "--data-dir", self.data, "--json")
        checks = {c["check"]: c for c in json.loads(health.stdout)["checks"]}
        self.assertEqual(checks["broker"]["status"], "OK", health.stdout + health.stderr)
        self.stop_and_summary()

    def test_secure_is_refused_with_an_external_cluster(self):
        run = self.sluice("up", "examples/claims-attachments", "--data-dir", self.data, "--secure",
                          "--bootstrap", "127.0.0.1:1")
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("--secure secures the built-in broker", run.stderr)
        self.assertFalse(os.path.exists(self.data), "nothing was started or created")
