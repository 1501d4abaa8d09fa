"""A pipeline file's `security:` block (docs/security.md, "sluice's own
clients"): a stage logs in to a SASL_PLAINTEXT `sluice broker` as the user the
block names, with the password read from the file it names (relative to the
pipeline file) and nothing in the environment, and copies every record; the
same block with a wrong password stops the stage with an error saying the
authentication failed; and the environment overrides the block key by key."""

import os
import subprocess
import tempfile
import time

import broker  # noqa: F401  (makes the Debian client packages importable)
import ck_helpers
from broker import sluice_bin, unique_name
from stage_fixture import StageProcess, copy_pipeline
from test_sasl import ALICE, ALICE_PW, SaslBrokerTestCase

# No login may come from this process's environment or a profile: the block alone decides.
LOGIN_VARIABLES = ("SLUICE_SECURITY_PROTOCOL", "SLUICE_SASL_MECHANISM", "SLUICE_SASL_USERNAME",
                   "SLUICE_SASL_PASSWORD", "SLUICE_SASL_PASSWORD_FILE", "SLUICE_SSL_CA_LOCATION",
                   "SLUICE_CONFIG")
COUNT = 40


class PipelineSecurityBlock(SaslBrokerTestCase):

    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="sluice-pipeline-security-", dir=self._tmp.name)
        self.input, self.output = unique_name("in"), unique_name("out")
        self.env = {name: "" for name in LOGIN_VARIABLES}
        self.env["XDG_CONFIG_HOME"] = self.tmp  # no profile of the user running the tests
        self.stage = None

    def tearDown(self):
        if self.stage and self.stage.proc.poll() is None:
            self.stage.kill9()
        super().tearDown()

    def login(self, user=ALICE, password=ALICE_PW):
        return {"security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": "SCRAM-SHA-256",
                "sasl.username": user, "sasl.password": password}

    def write_pipeline(self, security_lines):
        path = os.path.join(self.tmp, "pipeline.yaml")
        with open(path, "w") as f:
            f.write(copy_pipeline(self.broker.bootstrap, self.input, self.output,
                                  name=unique_name("secured")) + "security:\n" + security_lines)
        return path

    def write_password_file(self, password):
        os.makedirs(os.path.join(self.tmp, "secrets"), exist_ok=True)
        path = os.path.join(self.tmp, "secrets", "alice.pw")
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(password + "\n")

    def produce_input(self):
        p = ck_helpers.producer(self.broker.bootstrap, **self.login())
        values = [{"value": b"v%d" % i, "key": b"k%d" % i} for i in range(COUNT)]
        for d in ck_helpers.produce_all(p, self.input, values):
            self.assertIsNone(d.error)

    def output_values(self):
        """Every record of the output topic (all its partitions) read as alice."""
        deadline = time.monotonic() + 90
        while True:
            c = ck_helpers.consumer(self.broker.bootstrap, **self.login())
            try:
                partitions = c.list_topics(self.output, timeout=10).topics[self.output].partitions
            finally:
                c.close()
            if partitions or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        got, _ = ck_helpers.consume_partitions(self.broker.bootstrap, self.output, list(partitions),
                                               **self.login())
        return sorted(r.value for records in got.values() for r in records)

    def wait_for_output(self, timeout=90):
        """The output's values once all COUNT are there, or what there is after `timeout` s."""
        deadline = time.monotonic() + timeout
        values = self.output_values()
        while len(values) < COUNT and time.monotonic() < deadline:
            time.sleep(1)
            values = self.output_values()
        return values

    def test_a_stage_logs_in_with_the_blocks_user_and_password_file(self):
        self.write_password_file(ALICE_PW)
        pipeline = self.write_pipeline("  security.protocol: SASL_PLAINTEXT\n"
                                       "  sasl.mechanism: SCRAM-SHA-256\n"
                                       "  sasl.username: %s\n"
                                       "  sasl.password_file: secrets/alice.pw\n" % ALICE)
        self.produce_input()
        self.stage = StageProcess(pipeline, self.tmp, self.env).start()
        values = self.wait_for_output()
        self.assertEqual(values, sorted(b"v%d" % i for i in range(COUNT)),
                         self.stage.log_tail() + self.broker_log())
        self.assertEqual(self.stage.terminate(), 0, self.stage.log_tail())
        self.assertIn('authenticated as "User:%s"' % ALICE, self.broker_log(lines=400))

    def test_a_wrong_password_in_the_block_stops_the_stage_saying_why(self):
        pipeline = self.write_pipeline("  security.protocol: SASL_PLAINTEXT\n"
                                       "  sasl.mechanism: SCRAM-SHA-256\n"
                                       "  sasl.username: %s\n"
                                       "  sasl.password: not-the-password\n" % ALICE)
        run = subprocess.run([sluice_bin(), "run", pipeline, "--admin", "127.0.0.1:0"],
                             env={**os.environ, **self.env}, capture_output=True, text=True,
                             timeout=120)
        self.assertNotEqual(run.returncode, 0, run.stderr)
        self.assertRegex(run.stderr, r"stage 'copy' failed: the Kafka cluster at \S+ refused the login: .*"
                                     r"Authentication failed", run.stderr[-3000:])
        self.assertNotIn("not-the-password", run.stderr + self.broker_log(lines=400))

    def test_the_environment_overrides_the_block_key_by_key(self):
        # The block's password is wrong; SLUICE_SASL_PASSWORD wins over it, and the
        # block's other keys still apply.
        pipeline = self.write_pipeline("  security.protocol: SASL_PLAINTEXT\n"
                                       "  sasl.mechanism: SCRAM-SHA-256\n"
                                       "  sasl.username: %s\n"
                                       "  sasl.password: not-the-password\n" % ALICE)
        self.produce_input()
        self.stage = StageProcess(pipeline, self.tmp, {**self.env, "SLUICE_SASL_PASSWORD": ALICE_PW}).start()
        values = self.wait_for_output()
        self.assertEqual(len(values), COUNT, self.stage.log_tail() + self.broker_log())
