"""`sluice validate` costs only what is new (docs/formats/validate-checkpoint.md):
next to a data dir a pass resumes from DATA/validate.checkpoint and reads only
the records and table files written since the last pass, and its report is the
one a full pass gives — after new events too. A damaged checkpoint makes a full
pass, with the same report."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

from broker import REPO_ROOT, BrokerProcess, sluice_bin
from demo_env import FAST


COST = re.compile(r"validate: (resumed from \S+|full pass[^\n]*?): read (\d+) records and (\d+) table files")


class ValidateResumeTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sluice-validate-")
        self.broker = BrokerProcess(default_partitions=4, group_initial_rebalance_delay_ms=0)
        self.pipeline = os.path.join(REPO_ROOT, "examples/claims-attachments/pipeline.yaml")
        self.checkpoint = os.path.join(self.tmp, "validate.checkpoint")
        self.env = dict(os.environ, **FAST)

    def tearDown(self):
        self.broker.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def up(self, count):
        run = subprocess.run([sluice_bin(), "up", self.pipeline, "--bootstrap", self.broker.bootstrap,
                              "--data-dir", self.tmp, "--count", str(count), "--rate", "400", "--bad-share", "0.3",
                              "--drain-timeout", "240"],
                             cwd=REPO_ROOT, env=self.env, capture_output=True, text=True, timeout=420)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr[-3000:])
        # Validating an undrained pipeline would report its in-flight tasks as lost. Draining
        # takes tens of seconds here, but a CI machine running other pipelines at the same
        # time once needed more than 120 s (its downloads' timeouts and breakers slow down).
        self.assertNotIn("still in flight", run.stdout, "sluice up did not drain:\n" + run.stdout)

    def validate(self, *flags):
        """(exit status, report on stdout, how the pass started, records read, table files read)"""
        run = subprocess.run([sluice_bin(), "validate", self.pipeline, "--bootstrap", self.broker.bootstrap,
                              "--data-dir", self.tmp] + list(flags),
                             cwd=REPO_ROOT, env=self.env, capture_output=True, text=True, timeout=300)
        m = COST.search(run.stderr)
        self.assertIsNotNone(m, run.stderr)
        return run.returncode, run.stdout, m.group(1), int(m.group(2)), int(m.group(3))

    def test_a_second_pass_reads_only_what_is_new_and_agrees_with_a_full_pass(self):
        self.up(120)
        rc, first, how, records, files = self.validate()
        self.assertEqual(rc, 0, first)
        self.assertEqual(how, "full pass, no checkpoint yet")
        self.assertGreater(records, 120, "at least every event is read")
        self.assertGreater(files, 0)
        self.assertTrue(os.path.exists(self.checkpoint))

        rc, again, how, records_again, files_again = self.validate()
        self.assertEqual((rc, again), (0, first))
        self.assertTrue(how.startswith("resumed from"), how)
        self.assertEqual((records_again, files_again), (0, 0), "nothing new: nothing read")

        self.up(60)
        rc, resumed, how, new_records, _ = self.validate()
        self.assertTrue(how.startswith("resumed from"), how)
        self.assertRegex(resumed, r"events in:\s+180 ")
        rc_full, full, how_full, all_records, _ = self.validate("--full")
        self.assertEqual(how_full, "full pass, as --full asks")
        self.assertEqual((rc, resumed), (rc_full, full), "a resumed pass reports what a full pass does")
        self.assertEqual(rc, 0, full)
        self.assertGreater(new_records, 60)
        self.assertEqual(new_records + records, all_records, "each record is read once over the two passes")

    def test_a_damaged_checkpoint_makes_a_full_pass_with_the_same_report(self):
        self.up(80)
        rc, first, _, records, _ = self.validate()
        self.assertEqual(rc, 0, first)
        with open(self.checkpoint, "r+b") as f:
            data = bytearray(f.read())
            data[len(data) // 2] ^= 0x01
            f.seek(0)
            f.write(data)
        rc, again, how, records_again, _ = self.validate()
        self.assertEqual((rc, again), (0, first))
        self.assertTrue(how.startswith("full pass, the checkpoint is damaged"), how)
        self.assertEqual(records_again, records)
        # The full pass wrote a good checkpoint again: the next pass resumes.
        self.assertTrue(self.validate()[2].startswith("resumed from"))


if __name__ == "__main__":
    unittest.main()
