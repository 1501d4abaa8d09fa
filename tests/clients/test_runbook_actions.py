"""Runbook actions that had a command but no test of their own (see
docs/runbook-actions.md): scaling a stage horizontally (A12), and on a real
`sluice up` run: every process listed with uptime (A01), `ps --watch` (A09),
`pause ingest` / `resume` through the data dir (A25), the supervisor
restarting a crashed stage (A08), and `validate --since` (A16)."""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import ck_helpers
from broker import REPO_ROOT, sluice_bin, wait_until
from stage_fixture import OneStageTest, read_topic
from demo_env import FAST


class ScaleOutTest(OneStageTest):
    """A12: more `sluice run` processes of one stage join its group and share the partitions."""
    TMP_PREFIX = "sluice-scale-"
    PARTITIONS = 4

    def test_two_processes_of_a_stage_share_its_partitions(self):
        inp, out = self.input, self.output
        path = self.write_pipeline()
        for i in range(2):
            self.start_stage(path, workdir=os.path.join(self.tmp, "p%d" % i))

        def assigned():
            return [json.loads(s.get("/status"))[0]["assigned_partitions"] for s in self.stages]
        # (assigned_partitions counts the input's and its retry topics' partitions.)
        wait_until(lambda: all(n > 0 for n in assigned()), 60, 0.3, "both processes own partitions")
        r = subprocess.run([sluice_bin(), "groups", "describe", "test.copy", "--json",
                            "--bootstrap", self.broker.bootstrap], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        (group,) = json.loads(r.stdout)
        self.assertEqual(group["members"], 2, group)
        owners = {p["consumer_id"] for p in group["partitions"] if p["topic"] == inp}
        self.assertEqual(len(owners), 2, "the input's partitions are split between the two")
        p = ck_helpers.producer(self.broker.bootstrap)
        ck_helpers.produce_all(p, inp, [{"value": b"v-%d" % i, "key": b"k%d" % i} for i in range(200)])
        self.assertEqual(len({m.value() for m in read_topic(self.broker.bootstrap, out, 200)}), 200)
        wait_until(lambda: all((s.metric("kafka_messages_consumed_total", topic=inp) or 0) > 0
                               for s in self.stages), 30, 0.3, "both processes consumed records")


class UpOperationsTest(unittest.TestCase):
    """A01, A08, A09, A16, A25 against the processes of one `sluice up`."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sluice-up-ops-")
        self.env = dict(os.environ, **FAST)
        self.up = None

    def tearDown(self):
        if self.up and self.up.poll() is None:
            os.killpg(self.up.pid, signal.SIGKILL)
            self.up.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def sluice(self, *args, timeout=60):
        return subprocess.run([sluice_bin(), *args], cwd=REPO_ROOT, env=self.env, capture_output=True,
                              text=True, timeout=timeout)

    def ps_rows(self, key="STAGE"):
        """{stage (or another column's value): row dict} from `sluice ps`."""
        r = self.sluice("ps", "--data-dir", self.tmp)
        lines = r.stdout.splitlines()
        if not lines or not lines[0].startswith("NAME"):
            return {}
        header = lines[0].split()
        return {row[key]: row for row in (dict(zip(header, l.split())) for l in lines[1:])
                if row.get(key, "-") != "-"}

    def all_ready(self):
        rows = self.ps_rows()
        return set(rows) >= {"ingest", "download", "result"} and all(
            r["STATE"] == "running" and r["READY"] == "ready" for r in rows.values())

    def test_ps_watch_pause_ingest_supervisor_restart_and_validate_since(self):
        since_ms = int(time.time() * 1000) - 1000
        self.up = subprocess.Popen([sluice_bin(), "up", "examples/claims-attachments", "--data-dir", self.tmp,
                                    "--port", "0", "--count", "60", "--rate", "200", "--keep-running"],
                                   cwd=REPO_ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   text=True, start_new_session=True)
        wait_until(self.all_ready, 90, 0.5, "every stage process running and ready")

        # A01: every process, alive or dead, with pid, uptime and restarts.
        rows = self.ps_rows()
        for stage in ("ingest", "download", "result"):
            self.assertRegex(rows[stage]["UPTIME"], r"^\d+h\d\dm\d\ds$")
            self.assertEqual(rows[stage]["RESTARTS"], "0")
        # The same for scripts.
        listed = {p["name"]: p for p in json.loads(self.sluice("ps", "--data-dir", self.tmp, "--json").stdout)}
        self.assertEqual(listed["broker"]["state"], "running")
        ingest = [p for p in listed.values() if p["stage"] == "ingest"]
        self.assertTrue(ingest and all(p["ready"] == "ready" and p["restarts"] == 0 for p in ingest), listed)

        # A09: --watch refreshes the table until interrupted.
        watch = subprocess.Popen([sluice_bin(), "ps", "--data-dir", self.tmp, "--watch", "--interval", "1"],
                                 cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
        time.sleep(2.5)
        watch.send_signal(signal.SIGINT)
        out, _ = watch.communicate(timeout=10)
        self.assertGreaterEqual(out.count("NAME"), 2, out)

        # A25: pause event ingestion by stage name through the data dir, then resume.
        r = self.sluice("pause", "ingest", "--data-dir", self.tmp, "--json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn('"paused":true', r.stdout)
        self.assertIn('"paused":true', self.sluice("status", "--data-dir", self.tmp, "--json").stdout)
        self.assertRegex(self.sluice("status", "--data-dir", self.tmp).stdout,
                         r"(?m)^ingest\S*\s+ingest\s+paused\s")
        r = self.sluice("resume", "ingest", "--data-dir", self.tmp, "--json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn('"paused":false', r.stdout)

        # A08: the supervisor restarts a crashed stage.
        os.kill(int(rows["download"]["PID"]), signal.SIGKILL)
        wait_until(lambda: self.ps_rows().get("download", {}).get("RESTARTS") == "1" and self.all_ready(),
                   60, 0.5, "the download stage restarted by the supervisor")
        self.assertNotEqual(self.ps_rows()["download"]["PID"], rows["download"]["PID"])

        # A16: reconcile only the events since a point in time.
        wait_until(lambda: self.sluice("validate", "--data-dir", self.tmp, "--since", str(since_ms),
                                       timeout=120).returncode == 0, 120, 2.0, "validate --since to pass")
        r = self.sluice("validate", "--data-dir", self.tmp, "--since", str(since_ms), timeout=120)
        self.assertRegex(r.stdout, r"events in:\s+60\b", r.stdout)
        report = json.loads(self.sluice("validate", "--data-dir", self.tmp, "--since", str(since_ms), "--json",
                                        timeout=120).stdout)
        self.assertEqual((report["ok"], report["events"], report["lost"]), (True, 60, []))
        future = self.sluice("validate", "--data-dir", self.tmp, "--since", str(int(time.time() * 1000) + 3600_000),
                             timeout=120)
        self.assertRegex(future.stdout, r"events in:\s+0\b", future.stdout)

        self.up.send_signal(signal.SIGINT)
        self.up.communicate(timeout=180)
        self.assertEqual(self.up.returncode, 0)

    def test_restarts_survive_a_replaced_binary_and_count_for_the_broker_too(self):
        # A rebuild or package upgrade replaces the file `sluice up` was started from;
        # restarts must keep working (before, they failed with status 127 and took
        # the whole pipeline down).
        binary = os.path.join(self.tmp, "bin", "sluice")
        os.makedirs(os.path.dirname(binary))
        shutil.copy2(sluice_bin(), binary)
        self.up = subprocess.Popen([binary, "up", "examples/claims-attachments", "--data-dir", self.tmp,
                                    "--port", "0", "--count", "30", "--rate", "100", "--keep-running"],
                                   cwd=REPO_ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   text=True, start_new_session=True)
        wait_until(self.all_ready, 90, 0.5, "every stage process running and ready")
        os.remove(binary)
        before = self.ps_rows(key="NAME")
        for name in ("broker", "download"):
            os.kill(int(before[name]["PID"]), signal.SIGKILL)
            wait_until(lambda: self.ps_rows(key="NAME").get(name, {}).get("RESTARTS") == "1" and self.all_ready(),
                       60, 0.5, "%s restarted by the supervisor from the deleted binary" % name)
        self.assertIsNone(self.up.poll(), "sluice up is still running")
        wait_until(lambda: self.sluice("validate", "--data-dir", self.tmp, timeout=120).returncode == 0,
                   120, 2.0, "every event accounted for after the restarts")
        self.up.send_signal(signal.SIGINT)
        out, _ = self.up.communicate(timeout=180)
        self.assertEqual(self.up.returncode, 0, out)
        self.assertIn("stage restarts: 2;", out)


if __name__ == "__main__":
    unittest.main()
