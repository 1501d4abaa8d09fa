"""AGGRESSIVE's spill in front of the table sink (src/pipeline/spill/spilling_sink.h,
docs/formats/spill-segment.md), end to end: `sluice run` with a table-sink stage
whose level an operator pins at AGGRESSIVE writes its input to local spill files
and commits it without touching the table; back at NORMAL the spill drains into
the table in order. The promise checked, as in test_table_sink.py: every event is
one row, none lost or doubled, also when the process is killed with -9 while the
events are only in the spill."""

import os
import subprocess
import unittest

from test_table_sink import SinkTestCase  # first: it puts tests/clients on the path
import ck_helpers  # noqa: E402
from broker import sluice_bin, unique_name, wait_until  # noqa: E402
from stage_fixture import read_topic  # noqa: E402


class TableSinkSpillTest(SinkTestCase):
    TMP_PREFIX = "sluice-spill-"

    def spill_pipeline(self, topic):
        # Events keyed "hot", a priority key: at AGGRESSIVE (which includes GRACEFUL)
        # they reach the sink, and are spilled, instead of being parked.
        return self.sink_pipeline("p", topic, """\
      columns: {id: long not null, source: string, name: string, ts: timestamp}
      file_max_rows: 100
      flush_interval_ms: 100ms
    degradation: {priority_keys: [hot], spill_dir: spill, spill_max_bytes: 64MiB}
""")

    def produce_hot(self, topic, ids, values=None):
        p = ck_helpers.producer(self.broker.bootstrap)
        values = values or [self.event(i) for i in ids]
        for d in ck_helpers.produce_all(p, topic, [{"value": v.encode(), "key": b"hot"} for v in values]):
            self.assertIsNone(d.error)

    def set_level(self, stage, level):
        r = subprocess.run([sluice_bin(), "degradation", "set", level, "sink", "--admin",
                            "127.0.0.1:%d" % stage.port], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def spill_files(self):
        root = os.path.join(self.tmp, "spill", "sink")
        return [f for _, _, names in os.walk(root) for f in names if f.endswith(".spill")]

    def spill_committed(self, stage, topic, spilled):
        """`spilled` records are in the spill and the group's offsets reached the log end."""
        lag = [stage.metric("kafka_consumer_lag", topic=topic, partition=str(p)) for p in range(3)]
        return (stage.metric("sluice_degradation_spilled_records_total", stage="sink") == spilled
                and all(v == 0 for v in lag if v is not None) and any(v is not None for v in lag))

    def test_aggressive_spills_and_commits_without_the_table_then_drains_each_event_once(self):
        topic = unique_name("events")
        stage = self.start(self.spill_pipeline(topic))
        self.set_level(stage, "AGGRESSIVE")
        self.produce_hot(topic, range(500))
        self.produce_hot(topic, None, values=["not json %d" % i for i in range(3)])
        wait_until(lambda: self.spill_committed(stage, topic, 503), 60, 0.2, "503 records spilled and committed")
        self.assertEqual((self.describe() or {}).get("records", 0), 0, "nothing reached the table")
        self.assertTrue(self.spill_files())

        self.set_level(stage, "NORMAL")
        self.wait_for_records(500)
        self.assertEqual(self.table_counts(), {"n": 500, "ids": 500, "lo": 0, "hi": 499})
        # What the sink refuses once drained goes to the DLQ, as it would have without the spill.
        dlq = read_topic(self.broker.bootstrap, topic + ".dlq", 3)
        self.assertEqual(sorted(m.value() for m in dlq), [b"not json %d" % i for i in range(3)])
        headers = dict(dlq[0].headers())
        self.assertEqual(headers["sluice.error.category"], b"validation")
        self.assertEqual(headers["sluice.original.topic"], topic.encode())
        wait_until(lambda: stage.metric("sluice_degradation_spilled_bytes", stage="sink") == 0, 60, 0.2,
                   "the drained spill deleted")
        self.assertEqual(stage.metric("sluice_degradation_drained_records_total", stage="sink"), 503)
        self.assertEqual(self.spill_files(), [])

    def test_kill_9_while_events_are_only_in_the_spill_loses_and_doubles_nothing(self):
        topic = unique_name("events")
        path = self.spill_pipeline(topic)
        stage = self.start(path)
        self.produce_hot(topic, range(100))
        self.wait_for_records(100)  # the table's txn for the partition: it resumes at 100
        self.set_level(stage, "AGGRESSIVE")
        self.produce_hot(topic, range(100, 400))
        wait_until(lambda: self.spill_committed(stage, topic, 300), 60, 0.2, "300 events spilled and committed")
        stage.kill9()
        # The group committed 400; the table says 100: the spill holds 100-399 and delivers them.
        stage = self.start(path)
        self.wait_for_records(400, timeout=120)
        self.assertEqual(self.table_counts(), {"n": 400, "ids": 400, "lo": 0, "hi": 399})
        self.assertEqual(stage.metric("sluice_degradation_drained_records_total", stage="sink"), 300,
                         "100-399 came from the spill, not from Kafka again")

    def test_kill_9_in_the_middle_of_a_spill_entry_loses_and_doubles_nothing(self):
        topic = unique_name("events")
        path = self.spill_pipeline(topic)
        # Dies with half of the 200th spilled entry written (docs/reliability.md "Crash points").
        stage = self.start(path, env={"SLUICE_CRASH_AT": "spill.append.partial:200"})
        self.set_level(stage, "AGGRESSIVE")
        self.produce_hot(topic, range(1000))
        wait_until(lambda: stage.proc.poll() is not None, 60, 0.1, "the stage to die mid-entry")
        self.assertIn("crash point spill.append.partial reached", stage.log_tail())
        # Restarted at NORMAL: the torn entry is cut, and the table (which has no position for
        # the partition yet) gets 0-198 from the spill and the rest from Kafka.
        stage = self.start(path)
        self.wait_for_records(1000, timeout=120)
        self.assertEqual(self.table_counts(), {"n": 1000, "ids": 1000, "lo": 0, "hi": 999})
        self.assertIn("torn or corrupted", stage.log_tail(200))


if __name__ == "__main__":
    unittest.main()
