"""Degradation driven by a slow object store, with no operator in the loop
(docs/degradation.md): a table sink on S3 (s3_server.mjs, every request held
while a delay file exists) falls behind, its lag raises the level by itself
to AGGRESSIVE, where later events are spilled to local disk and committed;
once the store is fast again the lag falls, the level comes back to NORMAL
after recovery_after, the spill drains, and every event is one row — none
lost, none doubled."""

import os
import tempfile
import unittest

import test_s3_store as s3_tests  # S3Server
import test_table_sink as sink_tests  # SinkTestCase (puts tests/clients on the path)
import test_table_sink_s3 as sink_s3_tests  # TableSinkS3Test.file_path
import ck_helpers  # noqa: E402
from broker import unique_name, wait_until  # noqa: E402

DELAY_MS = 1500


class DegradationOnASlowStoreTest(s3_tests.S3LakeCase, sink_tests.SinkTestCase):
    TMP_PREFIX = "sluice-degradation-s3-"
    LAKE_PREFIX = "degradation-"
    file_path = sink_s3_tests.TableSinkS3Test.file_path  # DuckDB reads s3rver's object files

    @classmethod
    def server_flags(cls):
        cls.delay_file = os.path.join(tempfile.mkdtemp(prefix="sluice-s3-delay-"), "delay-ms")
        return super().server_flags() + ["--delay-file=" + cls.delay_file]

    def slow_store(self, on):
        if on:
            with open(self.delay_file, "w") as f:
                f.write(str(DELAY_MS))
        elif os.path.exists(self.delay_file):
            os.remove(self.delay_file)

    def produce_hot(self, topic, ids):
        p = ck_helpers.producer(self.broker.bootstrap)
        for d in ck_helpers.produce_all(p, topic, [{"value": self.event(i).encode(), "key": b"hot"}
                                                   for i in ids]):
            self.assertIsNone(d.error)

    def level(self, stage):
        return stage.metric("sluice_degradation_level", stage="sink")

    def test_a_slow_store_raises_the_level_to_aggressive_and_back_and_nothing_is_lost(self):
        topic = unique_name("events")
        # Every event a priority key ("hot"): the levels skip and spill, they park nothing.
        path = self.sink_pipeline("p", topic, """\
      columns: {id: long not null, source: string, name: string, ts: timestamp}
      file_max_rows: 100
      flush_interval_ms: 100ms
    degradation: {lag: [20, 40, 80, 0], recovery_after: 1s, priority_keys: [hot],
                  spill_dir: spill}
""")
        self.slow_store(True)
        self.addCleanup(self.slow_store, False)
        stage = self.start(path)
        # The first wave waits on the slow store: it is the lag that raises the level.
        self.produce_hot(topic, range(0, 200))
        wait_until(lambda: self.level(stage) == 3, 60, 0.2, "AGGRESSIVE by lag alone")
        # The second wave arrives at AGGRESSIVE: spilled and committed, not waiting on S3.
        self.produce_hot(topic, range(200, 500))
        wait_until(lambda: (stage.metric("sluice_degradation_spilled_records_total", stage="sink") or 0) > 0,
                   60, 0.2, "events spilled")
        self.slow_store(False)
        # Fast again: the first wave commits, lag falls, the level recovers and the spill drains.
        wait_until(lambda: self.level(stage) == 0, 120, 0.2, "back to NORMAL")
        self.wait_for_records(500, timeout=120)
        self.assertEqual(self.table_counts(), {"n": 500, "ids": 500, "lo": 0, "hi": 499})
        spilled = stage.metric("sluice_degradation_spilled_records_total", stage="sink")
        wait_until(lambda: stage.metric("sluice_degradation_drained_records_total", stage="sink") == spilled,
                   60, 0.2, "every spilled event drained")
        self.assertGreaterEqual(stage.metric("sluice_degradation_transitions_total", stage="sink",
                                             to="AGGRESSIVE"), 1)
        self.assertGreaterEqual(stage.metric("sluice_degradation_transitions_total", stage="sink",
                                             to="NORMAL"), 1)


if __name__ == "__main__":
    unittest.main()
