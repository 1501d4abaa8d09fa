"""`sluice health` and `sluice incident assess|snapshot|postmortem --data-dir`
against a real `sluice up` (issue 15 item 4): they find every process from the
data dir's process table — no --admin, no --bootstrap —, a stage process that
stops answering counts as a worker down, and its group's backlog is measured at
the broker (the stage's own lag gauge is gone with it). Checked against an
independent reader of the same offsets (confluent_kafka): the download group's
lag the commands report lies between what that reader measured just before and
just after.

Then the evidence agrees with itself: after the pipeline drained, the
post-mortem's count of dead-lettered events from the stages' JSON-lines logs is
the snapshot's count from their metrics, and its timeline groups thousands of
warnings into a few dozen rows — also after the download stage is killed -9 and
restarted by `sluice up`, which the timeline shows."""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import unittest

import ck_helpers
from broker import REPO_ROOT, sluice_bin, wait_until
from demo_env import FAST
from confluent_kafka import TopicPartition

GROUP = "claims.download"
TOPICS = ["claims.downloads", "claims.downloads.retry.1"]  # input and its one FAST delay topic
EVENTS = 1000


def read(path):
    with open(path) as f:
        return f.read()


class IncidentUpTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sluice-incident-up-")
        self.data = os.path.join(self.tmp, "data")
        # JSON lines, as `sluice up` writes its processes' logs.
        env = dict(os.environ, **FAST, SLUICE_LOG_FORMAT="json")
        for name in ("SLUICE_ADMIN", "SLUICE_BOOTSTRAP", "SLUICE_DATA_DIR"):
            env.pop(name, None)
        self.env = env
        self.up = subprocess.Popen(
            [sluice_bin(), "up", "examples/claims-attachments", "--data-dir", self.data, "--port", "0",
             "--rate", "200", "--count", str(EVENTS), "--keep-running",
             "--bad-share", "0.1"],  # plenty of dead-lettered events to count and group
            cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            start_new_session=True)
        wait_until(lambda: len([p for p in self.table() if p["stage"] and p["pid"] > 0]) == 3, 60, 0.2,
                   "three stage processes running")

    def tearDown(self):
        for p in self.table():
            if p["stage"] and p["pid"] > 0:
                try:
                    os.kill(p["pid"], signal.SIGCONT)
                except ProcessLookupError:
                    pass
        if self.up.poll() is None:
            self.up.send_signal(signal.SIGINT)
            try:
                self.up.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(self.up.pid, signal.SIGKILL)
                self.up.communicate()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def table(self):
        try:
            with open(os.path.join(self.data, "processes.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return []

    def process(self, name):
        return next(p for p in self.table() if p["name"] == name)

    def bootstrap(self):
        return self.process("broker")["admin"]

    def sluice(self, *args, timeout=120):
        return subprocess.run([sluice_bin(), *args], cwd=self.tmp, env=self.env, capture_output=True,
                              text=True, timeout=timeout)

    def group_lag(self, uncommitted=False):
        """The download group's lag as an independent client sees it: over the partitions it
        committed on (a lower bound of what the broker-side measure counts), or over every
        partition of its topics (an upper bound)."""
        c = ck_helpers.consumer(self.bootstrap(), **{"group.id": GROUP})
        try:
            total = 0
            for topic in TOPICS:
                parts = c.list_topics(topic, timeout=10).topics[topic].partitions
                committed = c.committed([TopicPartition(topic, p) for p in parts], timeout=10)
                for tp in committed:
                    low, high = c.get_watermark_offsets(TopicPartition(topic, tp.partition), timeout=10)
                    if tp.offset >= 0:
                        total += high - max(tp.offset, low)
                    elif uncommitted:
                        total += high - low
            return total
        finally:
            c.close()

    def health_json(self):
        r = self.sluice("health", "--data-dir", self.data, "--window", "1s", "--json")
        return r.returncode, json.loads(r.stdout)

    def drained(self):
        _, h = self.health_json()
        lag = next(c for c in h["checks"] if c["check"] == "lag")
        return lag["reason"].startswith("0 message(s)")

    def test_a_hung_stage_is_a_worker_down_and_its_backlog_is_seen_at_the_broker(self):
        download = self.process("download")
        self.assertEqual(download["group"], GROUP, "the process table names each stage's group")
        os.kill(download["pid"], signal.SIGSTOP)  # it stops answering: admin, heartbeats, commits
        wait_until(lambda: self.group_lag() > 200, 60, 0.5, "a backlog behind the stopped stage")

        before = self.group_lag()
        code, h = self.health_json()
        after = self.group_lag(uncommitted=True)
        self.assertEqual(code, 1, h)
        checks = {c["check"]: c for c in h["checks"]}
        self.assertEqual(checks["stage download"]["status"], "DOWN", h)
        self.assertEqual(checks["stage ingest"]["status"], "OK", h)
        self.assertEqual(checks["broker"]["status"], "OK", h)
        self.assertIn(self.bootstrap(), checks["broker"]["reason"], "the broker from the process table")
        seen = int(re.search(r"claims\.download ([\d,]+)", checks["lag"]["reason"]).group(1).replace(",", ""))
        self.assertTrue(before <= seen <= after, (before, seen, after, checks["lag"]))

        before = self.group_lag()
        r = self.sluice("incident", "assess", "--data-dir", self.data, "--window", "1s", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        a = json.loads(r.stdout)
        self.assertEqual((a["figures"]["workers_up"], a["figures"]["workers_total"]), (2, 3), a)
        self.assertIn("workers", [x["signal"] for x in a["reasons"]])
        self.assertGreaterEqual(a["figures"]["lag"], before, "the dead stage's backlog is in the lag")
        self.assertIn("download (down)", a["affected"])

        snap = os.path.join(self.tmp, "snap-hung")
        r = self.sluice("incident", "snapshot", snap, "--data-dir", self.data, "--window", "1s")
        self.assertEqual(r.returncode, 1, "the hung stage's parts are not captured")
        self.assertIn("no metrics from %s" % download["admin"], r.stderr)
        self.assertIn("GROUP %s" % GROUP, read(os.path.join(snap, "groups.txt")))

        # The incident, opened with a snapshot of this moment taken for it.
        r = self.sluice("incident", "open", "download hung", "--severity", a["severity"], "--alert",
                        "KafkaWorkerDead", "--stage", "download", "--take-snapshot", "--data-dir", self.data)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("opened INC-1", r.stdout)
        [incident] = json.loads(self.sluice("incident", "list", "--json", "--data-dir", self.data).stdout)
        self.assertTrue(incident["snapshot"].startswith(os.path.join(self.data, "snapshots", "")), incident)
        taken = json.loads(read(os.path.join(incident["snapshot"], "assessment.json")))
        self.assertEqual(taken["figures"]["workers_up"], 2, taken)

        os.kill(download["pid"], signal.SIGCONT)
        wait_until(self.drained, 180, 2, "the pipeline drained")

        # Drained and still running: the logs' dead-letter count is the metrics'.
        snap = os.path.join(self.tmp, "snap")
        r = self.sluice("incident", "snapshot", snap, "--data-dir", self.data, "--window", "1s")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        pm = os.path.join(self.tmp, "pm.md")
        r = self.sluice("incident", "postmortem", "--out", pm, "--snapshot", snap,
                        "--logs", os.path.join(self.data, "logs"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        md = read(pm)
        from_metrics = int(re.search(r"\| Events dead-lettered \| (\d+) \| snapshot metrics", md).group(1))
        from_logs = int(re.search(r"\| Events dead-lettered \| (\d+) \(.*\) \| stage logs \|", md).group(1))
        self.assertGreater(from_logs, 0)
        self.assertEqual(from_logs, from_metrics, md)
        self.assertIn("%d event(s) dead-lettered" % from_logs, r.stdout)
        rows = int(re.search(r"wrote .*: (\d+) timeline row", r.stdout).group(1))
        lines = int(re.search(r"from (\d+) log line", r.stdout).group(1))
        self.assertGreater(lines, 300)
        self.assertLess(rows, 60, md)

        # kill -9: `sluice up` restarts it; the timeline says so, still grouped.
        os.kill(self.process("download")["pid"], signal.SIGKILL)
        wait_until(lambda: self.process("download")["restarts"] == 1 and self.process("download")["pid"] > 0,
                   60, 0.2, "download restarted")
        log = os.path.join(self.data, "logs", "download-1.log")
        wait_until(lambda: read(log).count("consuming claims.downloads") == 2, 60, 0.2, "restart logged")
        pm = os.path.join(self.tmp, "pm-restart.md")
        r = self.sluice("incident", "postmortem", "--out", pm, "--data-dir", self.data, "--window", "1s")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        md = read(pm)
        self.assertRegex(md, r"\*\*Restarted\*\* stage 'download' consuming .*no clean stop")
        self.assertIn("live assessment at ", md, "--data-dir is live evidence too")
        self.assertLess(int(re.search(r"wrote .*: (\d+) timeline row", r.stdout).group(1)), 60, md)


if __name__ == "__main__":
    unittest.main()
