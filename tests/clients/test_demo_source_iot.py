"""`sluice demo-source --kind iot` against the built-in broker: every event the
manifest lists is on `iot-events`, keyed by its device id, in event order per
device; the run covers every case (bad kinds, late, out of order, duplicates,
the four timestamp spellings); and the same seed gives the same bytes."""

import collections
import json
import os
import subprocess
import tempfile
import unittest
from datetime import datetime, timezone

from broker import BrokerProcess, sluice_bin
from stage_fixture import read_topic

COUNT = 4000
ARGS = ["--kind", "iot", "--count", str(COUNT), "--rate", "5000", "--seed", "5",
        "--start-time", "2026-12-06T10:00:00Z", "--event-interval", "250ms",
        "--bad-share", "0.1", "--late-share", "0.02", "--duplicate-share", "0.02",
        "--disorder-share", "0.05", "--devices", "240"]
BAD = {"value_out_of_range", "bad_boolean", "missing_field", "wrong_type", "malformed_json",
       "battery_out_of_range", "signal_out_of_range", "duration_out_of_range",
       "unknown_device_type", "far_future"}


def instant(text):
    """The instant an event timestamp names; no offset means UTC."""
    t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


class IotDemoSourceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="sluice-iot-")
        cls.broker = BrokerProcess(tmpdir=os.path.join(cls.tmp.name, "broker"))
        cls.manifest_path = os.path.join(cls.tmp.name, "m.jsonl")
        cls.source = subprocess.run([sluice_bin(), "demo-source", "--bootstrap", cls.broker.bootstrap,
                                  "--manifest", cls.manifest_path] + ARGS,
                                 capture_output=True, text=True, timeout=300)
        with open(cls.manifest_path) as f:
            cls.manifest = [json.loads(line) for line in f]
        cls.records = read_topic(cls.broker.bootstrap, "iot-events", COUNT)

    @classmethod
    def tearDownClass(cls):
        cls.broker.close()
        cls.tmp.cleanup()

    def test_exits_0_with_a_summary_by_case(self):
        self.assertEqual(self.source.returncode, 0, self.source.stderr)
        self.assertIn("IoT events from 240 devices to iot-events", self.source.stdout)
        self.assertIn("%d sent, %d delivered, 0 failed, 0 unacknowledged" % (COUNT, COUNT),
                      self.source.stderr)

    def test_every_listed_event_is_on_the_topic_keyed_by_device(self):
        self.assertEqual(len(self.manifest), COUNT)
        self.assertEqual(len(self.records), COUNT, "exactly the acknowledged events, no more")
        by_key = collections.defaultdict(list)
        for m in self.records:
            by_key[m.key().decode()].append(m)
        listed = collections.defaultdict(list)
        for e in sorted(self.manifest, key=lambda e: e["n"]):
            listed[e["key"]].append(e)
        self.assertEqual({k: len(v) for k, v in by_key.items()},
                         {k: len(v) for k, v in listed.items()})
        # One device's events sit in one partition in the order they were produced.
        for key, records in by_key.items():
            self.assertEqual(len({m.partition() for m in records}), 1, key)
            for m, e in zip(sorted(records, key=lambda m: m.offset()), listed[key]):
                if e["case"] == "malformed_json":
                    self.assertRaises(ValueError, json.loads, m.value())
                    continue
                event = json.loads(m.value())
                if e["case"] != "missing_field" or "device_id" in event:
                    self.assertEqual(event.get("device_id"), key, e)
                if e["event_time"] and "timestamp" in event and e["case"] != "wrong_type":
                    self.assertEqual(instant(event["timestamp"]), instant(e["event_time"]), e)

    def test_the_run_covers_every_case_and_timestamp_spelling(self):
        cases = collections.Counter(e["case"] for e in self.manifest)
        self.assertEqual(BAD - set(cases), set(), cases)
        for kind in ("good", "late", "out_of_order", "duplicate"):
            self.assertGreater(cases[kind], 0, kind)
        spellings = set()
        for m in self.records:
            try:
                ts = json.loads(m.value()).get("timestamp")
            except ValueError:
                continue
            if isinstance(ts, str):
                spellings.add("Z" if ts.endswith("Z") else "+00:00" if ts.endswith("+00:00")
                              else "offset" if ts[-6] in "+-" else "none")
        self.assertEqual(spellings, {"Z", "+00:00", "offset", "none"})

    def test_duplicates_repeat_an_earlier_event_byte_for_byte(self):
        by_n = {e["n"]: e for e in self.manifest}
        values = {e["n"]: m.value() for m, e in zip(self.records_in_produce_order(),
                                                   sorted(self.manifest, key=lambda e: e["n"]))}
        for e in self.manifest:
            if e["case"] == "duplicate":
                self.assertEqual(values[e["n"]], values[e["duplicate_of"]])
                self.assertEqual(by_n[e["duplicate_of"]]["case"], "good")

    def records_in_produce_order(self):
        """Records matched to event numbers: per device, offsets follow event numbers."""
        by_key = collections.defaultdict(list)
        for m in self.records:
            by_key[m.key().decode()].append(m)
        for v in by_key.values():
            v.sort(key=lambda m: m.offset())
        out = []
        for e in sorted(self.manifest, key=lambda e: e["n"]):
            out.append(by_key[e["key"]].pop(0))
        return out

    def test_the_same_seed_gives_the_same_bytes(self):
        topic = "iot-again"
        r = subprocess.run([sluice_bin(), "demo-source", "--bootstrap", self.broker.bootstrap,
                            "--topic", topic] + ARGS[:2] + ["--count", "300"] + ARGS[4:],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        again = read_topic(self.broker.bootstrap, topic, 300)
        first = {(m.key(), m.value()) for m in self.records_in_produce_order()[:300]}
        self.assertEqual({(m.key(), m.value()) for m in again}, first)

    def test_out_of_range_options_are_refused_by_name(self):
        r = subprocess.run([sluice_bin(), "demo-source", "--kind", "iot", "--bootstrap",
                            self.broker.bootstrap, "--devices", "10", "--count", "1"],
                           capture_output=True, text=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--devices 10 must be between 24 and 1000000", r.stderr)


if __name__ == "__main__":
    unittest.main()
