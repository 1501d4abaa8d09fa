"""`sluice health` and `sluice incident assess|snapshot` against a real pipeline:
the built-in broker and one `sluice run` stage with the `fault-injector`
processor, driven through each severity of the incident runbook's table —
healthy (SEV-4), lag over 10,000 (SEV-3), error rate over 10% (SEV-2), DLQ
growth over 100/min (SEV-1) and every worker down (SEV-1) — checking the
health exit code (0 healthy, 1 degraded, 2 down) in the matching states and
that a snapshot writes its files.

One stage process lives through the states in order, so the whole file runs
in well under two minutes; rates are measured over 2 s windows while a
background producer keeps records flowing."""

import json
import os
import subprocess
import threading
import time
import unittest

import ck_helpers
from broker import sluice_bin, wait_until
from stage_fixture import OneStageTest, read_topic

WINDOW = "2s"


class IncidentTest(OneStageTest):
    TMP_PREFIX = "sluice-incident-"

    def setUp(self):
        super().setUp()
        self.producer = ck_helpers.producer(self.broker.bootstrap)

    def tearDown(self):
        self.producer.flush(5)
        super().tearDown()

    # ------------------------------------------------------------- helpers
    def start_copy_stage(self):
        self.start_stage(self.write_pipeline(
            "    retry: {max_attempts: 2, initial_backoff_ms: 20, max_backoff_ms: 100}\n"))
        wait_until(lambda: json.loads(self.stage.get("/status"))[0]["assigned_partitions"] > 0, 30,
                   0.2, "the stage owns its partitions")

    def produce(self, values):
        for d in ck_helpers.produce_all(self.producer, self.input,
                                        [{"value": v.encode()} for v in values]):
            self.assertIsNone(d.error)

    def produce_during_window(self, batch, batches=12, every=0.2):
        """Produces `batch` (a list of values) every `every` seconds from a thread, so records
        are flowing through the whole measurement window. Returns the thread."""
        def run():
            p = ck_helpers.producer(self.broker.bootstrap)
            for i in range(batches):
                ck_helpers.produce_all(p, self.input, [{"value": ("%s-%d" % (v, i)).encode()}
                                                       for v in batch])
                time.sleep(every)
        t = threading.Thread(target=run, daemon=True)
        t.start()
        return t

    def sluice(self, *args, admin=True, bootstrap=None, timeout=60):
        cmd = [sluice_bin(), *args]
        if admin:
            cmd += ["--admin", "127.0.0.1:%d" % self.stage.port]
        cmd += ["--bootstrap", bootstrap or self.broker.bootstrap]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)

    def assess(self, *extra):
        r = self.sluice("incident", "assess", "--json", "--window", WINDOW, *extra)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def assess_while(self, batch):
        """`incident assess --json` while a background producer sends `batch` repeatedly."""
        proc = subprocess.Popen([sluice_bin(), "incident", "assess", "--json", "--window", WINDOW,
                                 "--admin", "127.0.0.1:%d" % self.stage.port,
                                 "--bootstrap", self.broker.bootstrap],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.2)
        producing = self.produce_during_window(batch)
        out, err = proc.communicate(timeout=60)
        producing.join(timeout=30)
        self.assertEqual(proc.returncode, 0, err)
        return json.loads(out)

    def health(self, *extra, **kw):
        return self.sluice("health", "--window", WINDOW, *extra, **kw)

    @staticmethod
    def read(*path):
        with open(os.path.join(*path)) as f:
            return f.read()

    def signals(self, assessment):
        return [r["signal"] for r in assessment["reasons"]]

    def drained(self):
        status = json.loads(self.stage.get("/status"))[0]
        return status["buffered"] == 0 and status["in_flight"] == 0

    # --------------------------------------------------------------- the test
    def test_each_severity_with_matching_health_and_a_snapshot(self):
        self.start_copy_stage()
        self.produce(["ok-%d" % i for i in range(200)])
        read_topic(self.broker.bootstrap, self.output, 200)

        # Healthy: SEV-4, no reasons; health OK.
        a = self.assess()
        self.assertEqual(a["severity"], "SEV-4", a)
        self.assertFalse(a["incident"])
        self.assertEqual(a["reasons"], [])
        self.assertEqual(set(a["figures"]), {"lag", "error_rate", "dlq_per_min", "workers_up",
                                             "workers_total", "open_breakers", "broker_reachable",
                                             "lag_seconds"})
        self.assertEqual((a["figures"]["workers_up"], a["figures"]["workers_total"]), (1, 1))
        h = self.health()
        self.assertEqual(h.returncode, 0, h.stdout + h.stderr)
        self.assertRegex(h.stdout, r"broker\s+OK")
        self.assertRegex(h.stdout, r"overall\s+OK")

        # An unreachable broker: health says DOWN (2), assess says SEV-1.
        h = self.health("--timeout-ms", "1500", bootstrap="127.0.0.1:1")
        self.assertEqual(h.returncode, 2, h.stdout + h.stderr)
        self.assertRegex(h.stdout, r"broker\s+DOWN")

        # Snapshot of the healthy pipeline.
        snap = os.path.join(self.tmp, "snap")
        r = self.sluice("incident", "snapshot", snap, "--window", "1s", "--logs", self.stage.log_path)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        files = sorted(os.listdir(snap))
        self.assertEqual(files, sorted(["metrics-127.0.0.1_%d.prom" % self.stage.port, "status.json",
                                        "groups.txt", "topics.txt", "assessment.json", "logs"]))
        self.assertIn("kafka_messages_consumed_total",
                      self.read(snap, "metrics-127.0.0.1_%d.prom" % self.stage.port))
        status = json.loads(self.read(snap, "status.json"))
        self.assertEqual(status["127.0.0.1:%d" % self.stage.port][0]["stage"], "copy")
        groups = self.read(snap, "groups.txt")
        self.assertIn("GROUP test.copy", groups)
        self.assertIn(self.input, groups)
        self.assertIn(self.input, self.read(snap, "topics.txt"))
        self.assertEqual(json.loads(self.read(snap, "assessment.json"))["severity"], "SEV-4")
        log_copy = self.read(snap, "logs", "stage.log").splitlines()
        self.assertTrue(0 < len(log_copy) <= 1000)
        self.assertEqual(log_copy[-1], self.read(self.stage.log_path).splitlines()[-1])
        self.assertIn("wrote %s" % os.path.join(snap, "status.json"), r.stdout)

        # Lag over 10,000 behind a paused stage: SEV-3; health DEGRADED (1).
        r = subprocess.run([sluice_bin(), "pause", "copy", "--admin", "127.0.0.1:%d" % self.stage.port],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.produce(["lag-%d" % i for i in range(10_050)])
        a = self.assess()
        self.assertEqual(a["severity"], "SEV-3", a)
        self.assertEqual(self.signals(a), ["lag"])
        self.assertGreaterEqual(a["figures"]["lag"], 10_050)
        self.assertEqual(a["reasons"][0]["threshold"], 10_000)
        h = self.health()
        self.assertEqual(h.returncode, 1, h.stdout + h.stderr)
        self.assertRegex(h.stdout, r"lag\s+DEGRADED")
        r = self.sluice("incident", "assess", "--window", WINDOW, "--template", "initial")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("INCIDENT: [SEV-3] Kafka Pipeline - consumer lag", r.stdout)
        self.assertIn("ETA for update:", r.stdout)
        self.assertIn("copy (paused)", r.stdout)
        r = self.sluice("incident", "assess", "--window", WINDOW, "--template", "update")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("INCIDENT UPDATE - [SEV-3]", r.stdout)
        r = self.sluice("incident", "assess", "--window", WINDOW, "--template", "resolved", "--severity", "SEV-3",
                        "--started", "2026-11-27T09:00:00Z")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("INCIDENT RESOLVED - [SEV-3]", r.stdout)
        r = subprocess.run([sluice_bin(), "resume", "copy", "--admin", "127.0.0.1:%d" % self.stage.port],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        read_topic(self.broker.bootstrap, self.output, 200 + 10_050, timeout=90)
        wait_until(self.drained, 30, 0.2, "the stage drained")

        # Error rate between 10% and 20% (3 transient failures in every 20 records): SEV-2.
        a = self.assess_while(["ok"] * 17 + ["flaky:1:"] * 3)
        self.assertEqual(a["severity"], "SEV-2", a)
        self.assertIn("error_rate", self.signals(a))
        self.assertTrue(0.10 < a["figures"]["error_rate"] <= 0.20, a)
        self.assertEqual(a["error_rate_basis"], "window")
        wait_until(self.drained, 30, 0.2, "the stage drained")

        # A burst of poison records flooding the DLQ: SEV-1 for DLQ growth (and the error rate).
        a = self.assess_while(["poison"] * 30)
        self.assertEqual(a["severity"], "SEV-1", a)
        self.assertIn("dlq_growth", self.signals(a))
        self.assertGreater(a["figures"]["dlq_per_min"], 100)
        dlq = [r for r in a["reasons"] if r["signal"] == "dlq_growth"][0]
        self.assertEqual((dlq["severity"], dlq["threshold"]), ("SEV-1", 100))

        # Every worker down: SEV-1; health DOWN (2).
        self.assertEqual(self.stage.terminate(), 0)
        a = self.assess()
        self.assertEqual(a["severity"], "SEV-1", a)
        self.assertEqual(self.signals(a)[0], "workers")
        self.assertEqual((a["figures"]["workers_up"], a["figures"]["workers_total"]), (0, 1))
        h = self.health()
        self.assertEqual(h.returncode, 2, h.stdout + h.stderr)
        self.assertRegex(h.stdout, r"stage 127\.0\.0\.1:\d+\s+DOWN")
        r = self.sluice("incident", "assess", "--window", WINDOW)
        self.assertIn("SEV-1", r.stdout)
        self.assertIn("all 1 stage process(es) down", r.stdout)


if __name__ == "__main__":
    unittest.main()
