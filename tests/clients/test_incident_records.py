"""The incident log through the CLI (runbook seed 002; actions A35, A36): a
whole incident's life — opened from an alert that fired earlier, acknowledged,
mitigated, resolved — with times injected by `--at`, then `incident stats`
computing MTTD, MTTA and MTTR from them; a repeat of the same alerts on the same
stage found within the window and not outside it; an unacknowledged incident
flagged OVERDUE in `incident list` once its severity's response time has passed
(and the override of that time); the log surviving a torn last line; and
operators opening incidents at the same moment getting distinct ids.

No broker is needed: the log is a file in the data dir."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor

from broker import sluice_bin


class IncidentRecordsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sluice-incident-records-")
        self.data = os.path.join(self.tmp, "data")
        self.log = os.path.join(self.data, "incidents.jsonl")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def sluice(self, *args, ok=True):
        r = subprocess.run([sluice_bin(), "incident", *args, "--data-dir", self.data],
                           capture_output=True, text=True, timeout=60)
        if ok:
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r

    def listed(self, at, *extra):
        return json.loads(self.sluice("list", "--json", "--at", at, *extra).stdout)

    def stats(self, at, window):
        return json.loads(self.sluice("stats", "--json", "--at", at, "--window", window).stdout)

    def test_a_whole_lifecycle_then_stats(self):
        r = self.sluice("open", "download workers dead", "--severity", "P2", "--alert", "KafkaWorkerDead",
                        "--stage", "download", "--fired", "2026-12-01T10:00:00Z", "--at", "2026-12-01T10:04:00Z",
                        "--snapshot", "/srv/snap/1")
        self.assertIn("opened INC-1 [SEV-2] download workers dead at 2026-12-01T10:04:00.000Z", r.stdout)
        self.sluice("update", "INC-1", "--ack", "--note", "alice is on it", "--at", "2026-12-01T10:10:00Z")
        self.sluice("update", "INC-1", "--link-alert", "KafkaConsumerLagHigh", "--severity", "SEV-1",
                    "--at", "2026-12-01T10:12:00Z")
        self.sluice("update", "INC-1", "--mitigated", "--at", "2026-12-01T10:30:00Z")
        [i] = self.listed("2026-12-01T10:31:00Z")
        self.assertEqual((i["id"], i["severity"], i["state"]), ("INC-1", "SEV-1", "mitigated"))
        self.assertEqual(i["alerts"], ["KafkaConsumerLagHigh", "KafkaWorkerDead"])
        self.assertEqual(i["fingerprint"], "KafkaConsumerLagHigh+KafkaWorkerDead@download")
        self.assertEqual((i["fired"], i["opened"], i["acknowledged"], i["mitigated"], i["resolved"]),
                         ("2026-12-01T10:00:00.000Z", "2026-12-01T10:04:00.000Z", "2026-12-01T10:10:00.000Z",
                          "2026-12-01T10:30:00.000Z", None))
        self.assertEqual(i["snapshot"], "/srv/snap/1")
        self.assertEqual([n["text"] for n in i["notes"]], ["alice is on it"])
        self.assertFalse(i["overdue"], "acknowledged: responded to")

        self.sluice("resolve", "INC-1", "--note", "validated", "--at", "2026-12-01T11:00:00Z")
        self.assertEqual(self.listed("2026-12-01T11:01:00Z"), [], "only open incidents by default")
        [i] = self.listed("2026-12-01T11:01:00Z", "--all")
        self.assertEqual((i["state"], i["resolved"]), ("resolved", "2026-12-01T11:00:00.000Z"))

        # A second, smaller incident opened by hand (no alert time): MTTR from its opening.
        self.sluice("open", "slow table commits", "--severity", "SEV-3", "--stage", "result",
                    "--at", "2026-12-02T09:00:00Z")
        self.sluice("update", "INC-2", "--ack", "--at", "2026-12-02T09:30:00Z")
        self.sluice("resolve", "INC-2", "--at", "2026-12-02T11:00:00Z")

        s = self.stats("2026-12-03T00:00:00Z", "7d")
        sev1, sev3 = s["by_severity"]["SEV-1"], s["by_severity"]["SEV-3"]
        self.assertEqual((sev1["incidents"], sev1["open"]), (1, 0))
        self.assertEqual((sev1["mttd_s"], sev1["mtta_s"], sev1["mttr_s"]), (240, 360, 3600))
        self.assertEqual((sev3["mttd_s"], sev3["mtta_s"], sev3["mttr_s"]), (None, 1800, 7200))
        self.assertEqual(sev3["mttr_from_opened"], 1)
        self.assertEqual(s["by_severity"]["SEV-2"]["incidents"], 0, "counted under its latest severity")
        self.assertEqual(s["all"]["incidents"], 2)
        self.assertEqual(s["all"]["mtta_s"], (360 + 1800) / 2)
        self.assertEqual(s["repeats"], 0)

        text = self.sluice("stats", "--at", "2026-12-03T00:00:00Z", "--window", "7d").stdout
        self.assertRegex(text, r"SEV-1\s+1\s+0\s+0\s+4m 00s \(n=1\)\s+6m 00s \(n=1\)\s+1h 00m \(n=1\)")
        self.assertIn("repeat incidents: 0 of 2", text)

        # The log holds every event, one JSON line each, in order.
        with open(self.log) as f:
            events = [json.loads(line) for line in f]
        self.assertEqual([e["event"] for e in events],
                         ["opened", "updated", "updated", "updated", "resolved", "opened", "updated", "resolved"])

        # Events that do not fit are refused, and nothing is written.
        r = self.sluice("update", "INC-1", "--note", "late", "--at", "2026-12-02T00:00:00Z", ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("INC-1 was resolved at 2026-12-01T11:00:00.000Z", r.stderr)
        r = self.sluice("resolve", "INC-9", ok=False)
        self.assertIn("no incident INC-9", r.stderr)
        r = self.sluice("update", "INC-2", ok=False)
        self.assertIn("nothing to update", r.stderr)
        r = self.sluice("open", "x", "--severity", "SEV-5", ok=False)
        self.assertIn("is not SEV-1", r.stderr)
        with open(self.log) as f:
            self.assertEqual(len(f.readlines()), 8)

    def test_repeats_by_fingerprint_within_the_window(self):
        def incident(day, alerts, stage):
            args = ["open", "lag on " + stage, "--severity", "SEV-3", "--stage", stage,
                    "--at", "2026-12-%02dT08:00:00Z" % day]
            for a in alerts:
                args += ["--alert", a]
            self.sluice(*args)
        incident(1, ["KafkaConsumerLagHigh", "KafkaThroughputLow"], "download")
        incident(5, ["KafkaThroughputLow", "KafkaConsumerLagHigh"], "download")  # same, other order
        incident(6, ["KafkaConsumerLagHigh"], "download")                          # other alerts
        incident(7, ["KafkaConsumerLagHigh", "KafkaThroughputLow"], "ingest")      # other stage
        incident(20, ["KafkaConsumerLagHigh", "KafkaThroughputLow"], "download")

        s = self.stats("2026-12-08T00:00:00Z", "7d")
        self.assertEqual(s["repeated"], [{"fingerprint": "KafkaConsumerLagHigh+KafkaThroughputLow@download",
                                          "ids": ["INC-1", "INC-2"]}])
        self.assertEqual((s["repeats"], s["all"]["incidents"]), (1, 4))
        self.assertEqual(s["repeat_rate"], 0.25)
        # A shorter window no longer holds the first one: no repeat.
        self.assertEqual(self.stats("2026-12-08T00:00:00Z", "5d")["repeats"], 0)
        # From day 20, the 30-day window holds all three of that fingerprint.
        s = self.stats("2026-12-21T00:00:00Z", "30d")
        self.assertEqual(s["repeated"][0]["ids"], ["INC-1", "INC-2", "INC-5"])
        self.assertEqual(s["repeats"], 2)

    def test_unacknowledged_incidents_past_their_response_time_are_flagged(self):
        self.sluice("open", "pipeline down", "--severity", "SEV-1", "--at", "2026-12-07T10:00:00Z")
        self.sluice("open", "lag", "--severity", "SEV-3", "--at", "2026-12-07T10:00:00Z")
        self.sluice("open", "typo in docs", "--severity", "P4", "--at", "2026-12-11T16:00:00Z")  # a Friday

        def overdue(at, *extra):
            return {i["id"]: i["overdue"] for i in self.listed(at, *extra)}

        self.assertEqual(overdue("2026-12-07T10:15:00Z"), {"INC-1": False, "INC-2": False, "INC-3": False})
        self.assertEqual(overdue("2026-12-07T10:16:00Z"), {"INC-1": True, "INC-2": False, "INC-3": False})
        self.assertEqual(overdue("2026-12-07T14:01:00Z"), {"INC-1": True, "INC-2": True, "INC-3": False})
        text = self.sluice("list", "--at", "2026-12-07T10:20:00Z").stdout
        self.assertRegex(text, r"INC-1\s+SEV-1\s+open\s+.*OVERDUE by 5m 00s \(15m\)")
        self.assertRegex(text, r"INC-2\s+SEV-3\s+open\s+.*due in 3h 40m")
        # Configurable: SEV-3 within 10 minutes.
        self.assertTrue(overdue("2026-12-07T10:20:00Z", "--response-time", "SEV-3=10m")["INC-2"])
        r = self.sluice("list", "--response-time", "SEV-3", ok=False)
        self.assertIn("expected SEVERITY=DURATION", r.stderr)

        # Next business day: opened on a Friday, due by the end of Monday.
        self.assertFalse(overdue("2026-12-14T23:59:00Z")["INC-3"])
        self.assertTrue(overdue("2026-12-15T00:00:01Z")["INC-3"])

        # Acknowledging stops the clock; so does resolving.
        self.sluice("update", "INC-1", "--ack", "--at", "2026-12-07T10:30:00Z")
        self.sluice("resolve", "INC-2", "--at", "2026-12-07T15:00:00Z")
        self.assertEqual(overdue("2026-12-07T16:00:00Z"), {"INC-1": False, "INC-3": False})
        s = self.stats("2026-12-07T16:00:00Z", "7d")
        self.assertEqual(s["all"]["overdue"], 0)
        self.assertEqual(self.stats("2026-12-16T00:00:00Z", "30d")["by_severity"]["SEV-4"]["overdue"], 1)

    def test_a_torn_last_line_is_ignored_and_appends_go_on(self):
        self.sluice("open", "one", "--severity", "SEV-2", "--at", "2026-12-01T10:00:00Z")
        with open(self.log, "a") as f:
            f.write('{"v":1,"event":"updated","id":"INC-1","at":"2026-12-01T1')  # crash mid-write
        r = self.sluice("list", "--json", "--at", "2026-12-01T10:05:00Z")
        self.assertEqual([i["state"] for i in json.loads(r.stdout)], ["open"])
        self.assertIn("ignored 1 damaged line(s)", r.stderr)
        self.sluice("update", "INC-1", "--ack", "--at", "2026-12-01T10:06:00Z")
        self.sluice("open", "two", "--severity", "SEV-3", "--at", "2026-12-01T10:07:00Z")
        states = {i["id"]: i["state"] for i in self.listed("2026-12-01T10:08:00Z")}
        self.assertEqual(states, {"INC-1": "acknowledged", "INC-2": "open"})

    def test_concurrent_opens_get_distinct_ids(self):
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda n: self.sluice("open", "race %d" % n, "--severity", "SEV-3"),
                                    range(8)))
        self.assertTrue(all(r.returncode == 0 for r in results))
        ids = sorted(i["id"] for i in json.loads(self.sluice("list", "--json").stdout))
        self.assertEqual(ids, sorted("INC-%d" % n for n in range(1, 9)))


if __name__ == "__main__":
    unittest.main()
