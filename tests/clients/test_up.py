"""`sluice up` end to end: the built-in broker, the three stages of
examples/claims-attachments as supervised processes and the demo source with
its bad-input mix. The promise checked is the summary's: every event is
accounted for exactly once (a table row or a DLQ record), then the same again
through `sluice validate`, a DLQ replay, and a stage killed mid-run."""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from broker import REPO_ROOT, BrokerProcess, sluice_bin, wait_until
from demo_env import FAST


class UpTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sluice-up-")
        self.env = dict(os.environ, **FAST)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def up(self, *args, timeout=300, pipeline="examples/claims-attachments", cwd=REPO_ROOT, data_dir=None):
        return subprocess.run([sluice_bin(), "up", pipeline, "--data-dir", data_dir or self.tmp, "--port", "0"]
                              + list(args),
                              cwd=cwd, env=self.env, capture_output=True, text=True, timeout=timeout)

    def test_up_with_a_count_drains_and_accounts_for_every_event(self):
        # Run as a new user might: from another directory, the pipeline by its absolute
        # path, the data dir relative to where the command runs.
        run = self.up("--count", "200", "--rate", "400", "--bad-share", "0.3", "--drain-timeout", "120",
                      pipeline=os.path.join(REPO_ROOT, "examples/claims-attachments"), cwd=self.tmp,
                      data_dir="sluice-data")
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr[-4000:])
        self.assertIn("OK: every event is accounted for exactly once", run.stdout)
        self.assertRegex(run.stdout, r"events in:\s+200 ")
        rows = int(re.search(r"table rows:\s+(\d+)", run.stdout).group(1))
        dead = int(re.search(r"DLQ records:\s+(\d+)", run.stdout).group(1))
        self.assertGreater(rows, 0)
        self.assertGreater(dead, 0, "the bad-input mix must reach the DLQ")
        # In a log (not a terminal) a progress line comes every 5 s: never more often (a
        # loaded machine may print later, which only makes them fewer).
        stamps = [int(t) for t in re.findall(r"^\[\s*(\d+)s\] events", run.stderr, re.M)]
        self.assertTrue(stamps, "a progress line was shown: " + run.stderr[-2000:])
        self.assertLessEqual(len(stamps), stamps[-1] // 5 + 1, stamps)
        self.assertEqual(stamps, sorted(set(stamps)), stamps)
        # The README's table command, with the store given as a relative path.
        describe = subprocess.run([sluice_bin(), "table", "describe", "sluice-data/data/lake", "tables/attachments"],
                                  cwd=self.tmp, env=self.env, capture_output=True, text=True, timeout=60)
        self.assertEqual(describe.returncode, 0, describe.stderr)
        self.assertIn("%d record(s)" % rows, describe.stdout)

    def test_a_missing_pipeline_file_is_reported_before_anything_starts(self):
        # A busy broker port must not hide the real mistake.
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            data = os.path.join(self.tmp, "data")
            run = subprocess.run([sluice_bin(), "up", os.path.join(self.tmp, "no-such-pipeline"), "--data-dir", data,
                                  "--port", str(port)], cwd=self.tmp, env=self.env, capture_output=True, text=True,
                                 timeout=60)
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("no-such-pipeline: cannot read the pipeline file", run.stderr)
        self.assertFalse(os.path.exists(data), "nothing was started or created")

    def test_a_bad_processor_option_is_reported_at_its_line_before_anything_starts(self):
        pipeline = os.path.join(self.tmp, "pipeline.yaml")
        with open(pipeline, "w") as f:
            f.write("pipeline: t\n"
                    "stages:\n"
                    "  - name: ingest\n"
                    "    input: t.events\n"
                    "    outputs: [t.tasks]\n"
                    "    processor: ingest\n"
                    "    options:\n"
                    "      schema: s.json\n"
                    "      dedupe_windw: 10\n")
        data = os.path.join(self.tmp, "data")
        env = {k: v for k, v in os.environ.items() if not k.startswith("SLUICE_STAGE_")}
        run = subprocess.run([sluice_bin(), "up", pipeline, "--data-dir", data], cwd=REPO_ROOT, env=env,
                             capture_output=True, text=True, timeout=60)
        self.assertNotEqual(run.returncode, 0)
        self.assertIn(pipeline + ":9: stage 'ingest' (processor ingest): unknown option 'dedupe_windw'; "
                      "did you mean 'dedupe_window'?", run.stderr)
        self.assertFalse(os.path.exists(data), "nothing was started or created")

    def test_ctrl_c_stops_cleanly_and_the_next_up_resumes(self):
        proc = subprocess.Popen([sluice_bin(), "up", "examples/claims-attachments", "--data-dir", self.tmp, "--port", "0",
                                 "--rate",
                                 "100", "--bad-share", "0.2", "--drain-timeout", "60"],
                                cwd=REPO_ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        time.sleep(8)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=180)
        self.assertEqual(proc.returncode, 0, out + err[-4000:])
        self.assertIn("==== sluice up: summary ====", out)
        # In a log a progress line comes every 5 s; its rates are still per second, so
        # they stay near the source's 100 events/s (a 5-s delta would read about 500).
        rates = [float(r) for r in re.findall(r"\] events \d+ \(([\d.]+)/s\)", err)]
        self.assertTrue(rates, err[-2000:])
        self.assertLess(max(rates), 250, err[-2000:])
        self.assertNotIn("LOST", out)
        self.assertNotIn("DUPLICATE", out)


if __name__ == "__main__":
    unittest.main()


class ReplayAfterFixTest(unittest.TestCase):
    """The runbook's DLQ flow on the real pipeline: attachments on a host that is
    not allow-listed are dead-lettered; an operator widens the allowlist,
    restarts the download stage and replays the DLQ; the records become rows."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sluice-replay-")
        self.broker = BrokerProcess(default_partitions=4, group_initial_rebalance_delay_ms=0)
        self.pipeline = os.path.join(self.tmp, "pipeline.yaml")
        # The pipeline's relative paths (its schema) resolve against its own directory.
        for name in ("pipeline.yaml", "claim-event.schema.json"):
            shutil.copy(os.path.join(REPO_ROOT, "examples/claims-attachments", name), self.tmp)
        self.env = dict(os.environ, **FAST)
        self.env["SLUICE_STAGE_DOWNLOAD_OPTIONS_STORE"] = os.path.join(self.tmp, "data/lake")
        self.env["SLUICE_STAGE_RESULT_OPTIONS_STORE"] = os.path.join(self.tmp, "data/lake")
        self.up = None

    def tearDown(self):
        if self.up and self.up.poll() is None:
            self.up.kill()
            self.up.wait()
        self.broker.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def sluice(self, *args):
        return subprocess.run([sluice_bin()] + list(args), cwd=REPO_ROOT, env=self.env, capture_output=True,
                              text=True, timeout=120)

    def validate(self):
        return self.sluice("validate", self.pipeline, "--bootstrap", self.broker.bootstrap, "--data-dir", self.tmp)

    def rows(self):
        m = re.search(r"table rows:\s+(\d+)", self.validate().stdout)
        return int(m.group(1)) if m else -1

    def untrusted_dead_letters(self):
        out = self.sluice("dlq", "list", "claims.downloads.dlq", "--bootstrap", self.broker.bootstrap, "--limit", "1000")
        return out.stdout.count("allowed_domains")

    def test_widening_the_allowlist_and_replaying_moves_dead_letters_into_the_table(self):
        self.up = subprocess.Popen([sluice_bin(), "up", self.pipeline, "--bootstrap", self.broker.bootstrap,
                                    "--data-dir", self.tmp, "--count", "120", "--rate", "400", "--bad-share", "0.5",
                                    "--keep-running"], cwd=REPO_ROOT, env=self.env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, start_new_session=True)
        wait_until(lambda: self.validate().returncode == 0 and self.untrusted_dead_letters() > 0, 120, 2.0,
                   "the first pass to settle with untrusted-domain attachments in the DLQ")
        refused, before = self.untrusted_dead_letters(), self.rows()

        with open(self.pipeline) as f:
            text = f.read()
        with open(self.pipeline, "w") as f:
            f.write(text.replace("allowed_domains: [127.0.0.1]", "allowed_domains: [127.0.0.1, localhost]"))
        self.assertEqual(self.sluice("restart", "download", "--data-dir", self.tmp).returncode, 0)
        time.sleep(3)  # the supervisor notices within a second and starts it with the new file
        replay = self.sluice("dlq", "replay", "claims.downloads.dlq", "--all", "--category", "permanent",
                             "--bootstrap", self.broker.bootstrap)
        self.assertEqual(replay.returncode, 0, replay.stdout + replay.stderr)

        wait_until(lambda: self.rows() >= before + refused, 120, 2.0, "replayed attachments to become rows")
        final = self.validate()
        self.assertEqual(final.returncode, 0, final.stdout)
        self.up.send_signal(signal.SIGINT)
        out, err = self.up.communicate(timeout=180)
        self.assertEqual(self.up.returncode, 0, err[-3000:])
