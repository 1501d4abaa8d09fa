"""The table sink end to end: `sluice run` with a `table-sink` stage writes JSON
events from the built-in broker into a Delta table on the local object store.
DuckDB (an independent reader) reads the table's live files back; the promise
checked is exactly-once: every good event is one row, every bad one a DLQ
record, even across kill -9 and concurrent writers."""

import datetime
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "clients"))

import ck_helpers  # noqa: E402
import test_stage_runtime as stage_tests  # noqa: E402  (StageProcess, read_topic; its tests are not collected)
from broker import BrokerProcess, sluice_bin, unique_name, wait_until  # noqa: E402


def duckdb(sql):
    out = subprocess.run(["node", os.path.join(HERE, "duckdb_query.mjs"), sql], cwd=HERE, capture_output=True,
                         text=True, timeout=120)
    if out.returncode != 0:
        raise AssertionError("duckdb failed: %s" % out.stderr)
    return json.loads(out.stdout)


class TableSinkTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sluice-sink-")
        self.lake = os.path.join(self.tmp, "lake")
        self.broker = BrokerProcess(default_partitions=3, group_initial_rebalance_delay_ms=0)
        self.stages = []

    def tearDown(self):
        for s in self.stages:
            if s.proc and s.proc.poll() is None:
                s.kill9()
        self.broker.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def pipeline(self, name, topic, rows=500, interval="300ms", extra=""):
        path = os.path.join(self.tmp, name + ".yaml")
        with open(path, "w") as f:
            f.write("""pipeline: %s
bootstrap: %s
stages:
  - name: sink
    input: %s
    processor: table-sink
    options:
      store: %s
      table: tables/events
      columns: {id: long not null, source: string, name: string, ts: timestamp}
      file_max_rows: %d
      flush_interval_ms: %s
      checkpoint_interval: 5
%s""" % (name, self.broker.bootstrap, topic, self.lake, rows, interval, extra))
        return path

    def start(self, path):
        s = stage_tests.StageProcess(path, self.tmp).start()
        self.stages.append(s)
        return s

    def produce(self, topic, values):
        p = ck_helpers.producer(self.broker.bootstrap)
        for d in ck_helpers.produce_all(p, topic, [{"value": v.encode(), "key": b"k%d" % i}
                                                   for i, v in enumerate(values)]):
            self.assertIsNone(d.error)

    def describe(self):
        out = subprocess.run([sluice_bin(), "table", "describe", self.lake, "tables/events", "--json"],
                             capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            return None
        return json.loads(out.stdout)

    def wait_for_records(self, n, timeout=90):
        return wait_until(lambda: (self.describe() or {}).get("records") == n and self.describe(), timeout, 0.3,
                          "%d records in the table" % n)

    def table_counts(self):
        files = self.describe()["live_files"]
        paths = ", ".join("'%s'" % os.path.join(self.lake, "tables/events", f) for f in files)
        rows = duckdb("SELECT count(*) AS n, count(DISTINCT id) AS ids, min(id) AS lo, max(id) AS hi "
                      "FROM read_parquet([%s])" % paths)
        return {k: int(v) for k, v in rows[0].items()}

    @staticmethod
    def event(i, source="a"):
        return json.dumps({"id": i, "source": source, "name": "event %d" % i, "ts": "2026-11-27T12:00:%02dZ" % (i % 60)})

    def test_good_events_become_rows_once_and_bad_ones_go_to_the_dlq(self):
        topic = unique_name("events")
        self.start(self.pipeline("p", topic))
        good = [self.event(i) for i in range(3000)]
        bad = ["not json %d" % i for i in range(20)] + [json.dumps({"name": "no id %d" % i}) for i in range(10)] + \
              [json.dumps({"id": "seven"})]
        self.produce(topic, good + bad)
        self.wait_for_records(3000)
        self.assertEqual(self.table_counts(), {"n": 3000, "ids": 3000, "lo": 0, "hi": 2999})
        dlq = stage_tests.read_topic(self.broker.bootstrap, topic + ".dlq", len(bad))
        self.assertEqual(len(dlq), len(bad))
        reasons = [dict(m.headers())["sluice.error.message"].decode() for m in dlq]
        self.assertTrue(all(dict(m.headers())["sluice.error.category"] == b"validation" for m in dlq))
        self.assertTrue(any("not a JSON object" in r for r in reasons), reasons)
        self.assertTrue(any("column 'id' is required" in r for r in reasons), reasons)
        self.assertTrue(any("column 'id' (long): expected an integer" in r for r in reasons), reasons)
        # The typed columns read back as DuckDB types, with equal values.
        files = self.describe()["live_files"]
        row = duckdb("SELECT id, source, name, epoch_ms(ts) AS ts FROM read_parquet([%s]) WHERE id = 61"
                     % ", ".join("'%s'" % os.path.join(self.lake, "tables/events", f) for f in files))
        expected_ms = int(datetime.datetime(2026, 11, 27, 12, 0, 1, tzinfo=datetime.timezone.utc).timestamp() * 1000)
        self.assertEqual(row, [{"id": "61", "source": "a", "name": "event 61", "ts": str(expected_ms)}])

    def test_kill_9_mid_stream_then_restart_loses_and_duplicates_nothing(self):
        topic = unique_name("events")
        path = self.pipeline("p", topic, rows=200, interval="100ms")
        stage = self.start(path)
        total = 20000
        producer = threading.Thread(target=self.produce, args=(topic, [self.event(i) for i in range(total)]))
        producer.start()
        wait_until(lambda: (self.describe() or {}).get("records", 0) >= 2000, 60, 0.1, "a first part committed")
        stage.kill9()
        producer.join()
        self.start(path)
        self.wait_for_records(total, timeout=120)
        self.assertEqual(self.table_counts(), {"n": total, "ids": total, "lo": 0, "hi": total - 1})

    def test_two_pipelines_racing_on_one_table_both_land_without_loss(self):
        topics = [unique_name("a"), unique_name("b")]
        for i, topic in enumerate(topics):
            self.start(self.pipeline("p%d" % i, topic, rows=100, interval="50ms"))
        threads = [threading.Thread(target=self.produce,
                                    args=(t, [self.event(i + 100000 * n, source=t) for i in range(4000)]))
                   for n, t in enumerate(topics)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.wait_for_records(8000, timeout=120)
        counts = self.table_counts()
        self.assertEqual((counts["n"], counts["ids"]), (8000, 8000))

    def test_vacuum_and_optimize_keep_every_row(self):
        topic = unique_name("events")
        self.start(self.pipeline("p", topic, rows=100, interval="50ms"))
        self.produce(topic, [self.event(i) for i in range(1000)])
        self.wait_for_records(1000)
        before = self.describe()
        out = subprocess.run([sluice_bin(), "table", "optimize", self.lake, "tables/events", "--target-size", "64MiB"],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("compacted", out.stdout)
        after = self.describe()
        self.assertLess(len(after["live_files"]), len(before["live_files"]))
        self.assertEqual(after["records"], 1000)
        out = subprocess.run([sluice_bin(), "table", "vacuum", self.lake, "tables/events", "--older-than", "0s"],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(self.table_counts(), {"n": 1000, "ids": 1000, "lo": 0, "hi": 999})
        history = subprocess.run([sluice_bin(), "table", "history", self.lake, "tables/events"],
                                 capture_output=True, text=True, timeout=60).stdout
        self.assertIn("OPTIMIZE", history)
        self.assertIn("VACUUM END", history)

    def test_until_caught_up_commits_the_backlog_then_exits_zero(self):
        topic = unique_name("events")
        self.produce(topic, [self.event(i) for i in range(1500)])
        run = subprocess.run([sluice_bin(), "run", self.pipeline("p", topic), "--admin", "127.0.0.1:0",
                              "--until-caught-up"], capture_output=True, text=True, timeout=120)
        self.assertEqual(run.returncode, 0, run.stderr[-3000:])
        self.assertEqual(self.describe()["records"], 1500)
        self.assertEqual(self.table_counts(), {"n": 1500, "ids": 1500, "lo": 0, "hi": 1499})

    def test_a_unique_key_keeps_one_row_per_key_across_repeats_and_restarts(self):
        topic = unique_name("events")
        path = self.pipeline("p", topic, rows=50, interval="100ms", extra="      unique_key: name\n")
        stage = self.start(path)
        events = [self.event(i) for i in range(100)]
        self.produce(topic, events + events[:30])
        self.wait_for_records(100)
        stage.terminate()
        self.start(path)  # keys come back from the table, not from memory
        self.produce(topic, events[50:60] + [self.event(100)])
        self.wait_for_records(101)
        time.sleep(1.0)  # a wrongly written repeat would show up by now
        self.assertEqual(self.describe()["records"], 101)

    def test_partition_by_writes_one_directory_per_source_that_duckdb_reads_back(self):
        topic = unique_name("events")
        self.start(self.pipeline("p", topic, rows=200, interval="100ms", extra="      partition_by: [source]\n"))
        produced = {"alpha": 600, "beta": 450, "gamma": 150}
        sources = [s for s, n in produced.items() for _ in range(n)]
        random.Random(7).shuffle(sources)  # every flush mixes sources: one file per source each
        # One event's source would make a directory name no file system takes: it goes to the DLQ.
        self.produce(topic, [self.event(i, source=s) for i, s in enumerate(sources)] +
                     [self.event(len(sources), source="x" * 300)])
        described = self.wait_for_records(len(sources))
        self.assertEqual(described["partition_columns"], ["source"])
        files = described["live_files"]
        self.assertEqual({f.split("/")[0] for f in files}, {"source=alpha", "source=beta", "source=gamma"})
        paths = ", ".join("'%s'" % os.path.join(self.lake, "tables/events", f) for f in files)
        rows = duckdb("SELECT source, count(*) AS n, count(DISTINCT id) AS ids "
                      "FROM read_parquet([%s], hive_partitioning = true) GROUP BY source" % paths)
        self.assertEqual({r["source"]: int(r["n"]) for r in rows}, produced)
        self.assertEqual(sum(int(r["ids"]) for r in rows), len(sources))
        # Per the protocol, the partition column is in the path and the log, not in the files.
        one = duckdb("SELECT * FROM read_parquet('%s', hive_partitioning = false) LIMIT 1"
                     % os.path.join(self.lake, "tables/events", files[0]))
        self.assertEqual(sorted(one[0]), ["id", "name", "ts"])
        dlq = stage_tests.read_topic(self.broker.bootstrap, topic + ".dlq", 1)
        self.assertIn("partition directory name of 307 bytes", dict(dlq[0].headers())["sluice.error.message"].decode())

    def test_partition_by_a_column_that_cannot_be_one_stops_the_stage_with_a_config_error(self):
        topic = unique_name("events")
        for extra, expected in [("      partition_by: [nope]\n", "'nope', which is not one of the table's columns"),
                                ("      partition_by: [name]\n      unique_key: name\n",
                                 "cannot include 'name', the unique_key column")]:
            run = subprocess.run([sluice_bin(), "run", self.pipeline("p", topic, extra=extra), "--admin", "127.0.0.1:0",
                                  "--until-caught-up"], capture_output=True, text=True, timeout=60)
            self.assertNotEqual(run.returncode, 0)
            self.assertIn("option 'partition_by'", run.stderr)
            self.assertIn(expected, run.stderr)

if __name__ == "__main__":
    unittest.main()
