"""The table sink end to end: `sluice run` with a `table-sink` stage writes JSON
events from the built-in broker into a Delta table on the local object store.
DuckDB (an independent reader) reads the table's live files back; the promise
checked is exactly-once: every good event is one row, every bad one a DLQ
record, even across kill -9 (at a random moment and at each crash point of
docs/reliability.md) and concurrent writers. test_table_sink_s3.py runs the
sink on S3 with the helpers of SinkTestCase."""

import datetime
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "clients"))

import ck_helpers  # noqa: E402
from confluent_kafka import Consumer, TopicPartition  # noqa: E402
from stage_fixture import OneStageTest, read_topic  # noqa: E402
from broker import sluice_bin, unique_name, wait_until  # noqa: E402
from lake_tables import duckdb, rows_per_file  # noqa: E402


class SinkTestCase(OneStageTest):
    """A broker, table-sink processes writing to the store `self.lake` (a local directory here;
    subclasses may point it elsewhere, with `self.env` for the processes) and the table's rows
    read back with DuckDB."""

    TABLE = "tables/events"
    TMP_PREFIX = "sluice-sink-"

    def setUp(self):
        super().setUp()
        self.lake = os.path.join(self.tmp, "lake")
        self.env = {}

    def sink_pipeline(self, name, topic, options):
        """A pipeline file with one table-sink stage `sink` reading `topic` into self.TABLE
        of self.lake; `options` are the further option lines (indented 6)."""
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
      table: %s
%s""" % (name, self.broker.bootstrap, topic, self.lake, self.TABLE, options))
        return path

    def pipeline(self, name, topic, rows=500, interval="300ms", extra=""):
        return self.sink_pipeline(name, topic, """\
      columns: {id: long not null, source: string, name: string, ts: timestamp}
      file_max_rows: %d
      flush_interval_ms: %s
      checkpoint_interval: 5
%s""" % (rows, interval, extra))

    def start(self, path, env=None):
        return self.start_stage(path, env={**self.env, **(env or {})})

    def produce(self, topic, values):
        p = ck_helpers.producer(self.broker.bootstrap)
        for d in ck_helpers.produce_all(p, topic, [{"value": v.encode(), "key": b"k%d" % i}
                                                   for i, v in enumerate(values)]):
            self.assertIsNone(d.error)

    def sluice_table(self, command, *flags):
        """`sluice table COMMAND STORE TABLE FLAGS...`, with the store's environment."""
        return subprocess.run([sluice_bin(), "table", command, self.lake, self.TABLE, *flags], capture_output=True,
                              text=True, timeout=120, env={**os.environ, **self.env})

    def describe(self):
        out = self.sluice_table("describe", "--json")
        if out.returncode != 0:
            return None
        return json.loads(out.stdout)

    def wait_for_records(self, n, timeout=90):
        return wait_until(lambda: (self.describe() or {}).get("records") == n and self.describe(), timeout, 0.3,
                          "%d records in the table" % n)

    def file_path(self, path):
        """Where DuckDB reads the table's file `path` (relative to the table)."""
        return os.path.join(self.lake, self.TABLE, path)

    def table_counts(self):
        files = self.describe()["live_files"]
        paths = ", ".join("'%s'" % self.file_path(f) for f in files)
        rows = duckdb("SELECT count(*) AS n, count(DISTINCT id) AS ids, min(id) AS lo, max(id) AS hi "
                      "FROM read_parquet([%s])" % paths)
        return {k: int(v) for k, v in rows[0].items()}

    @staticmethod
    def event(i, source="a"):
        return json.dumps({"id": i, "source": source, "name": "event %d" % i, "ts": "2026-11-27T12:00:%02dZ" % (i % 60)})

    def crash_at(self, point, path, topic, total):
        """Starts the sink with SLUICE_CRASH_AT=point, produces events 0..total-1 and returns once
        the sink killed itself there (SIGKILL, and its last words name the point)."""
        stage = self.start(path, env={"SLUICE_CRASH_AT": point})
        self.produce(topic, [self.event(i) for i in range(total)])
        wait_until(lambda: stage.proc.poll() is not None, 60, 0.1, "the sink to die at " + point,
                   explain=lambda: "--- the sink's log ---\n" + stage.log_tail())
        self.assertEqual(stage.proc.returncode, -signal.SIGKILL, stage.log_tail())
        self.assertIn("crash point %s reached" % point.split(":")[0], stage.log_tail())

    def recover(self, path, total):
        """Restarts the sink without a crash point: every event must become exactly one row."""
        stage = self.start(path)
        # At least `total`, not exactly: a duplicate must fail the count below, not a timeout. The
        # timeout leaves room for the session timeout, until which the SIGKILLed member may keep its
        # partitions.
        wait_until(lambda: (self.describe() or {}).get("records", 0) >= total, 120, 0.3, "%d records" % total,
                   explain=lambda: "the table: %s\n--- the sink's log ---\n%s" % (self.describe(), stage.log_tail()))
        self.assertEqual(self.table_counts(), {"n": total, "ids": total, "lo": 0, "hi": total - 1})

    def vacuum_orphans(self, *flags):
        """The orphans `sluice table vacuum --older-than 0s` deletes (or would, with --dry-run)."""
        out = self.sluice_table("vacuum", "--older-than", "0s", *flags)
        self.assertEqual(out.returncode, 0, out.stderr)
        return set(re.findall(r"^(?:would delete|deleted) (\S+) \(orphan: never committed\)$", out.stdout, re.M))


class TableSinkTest(SinkTestCase):

    def data_files_on_disk(self):
        """Data files (and temp files) in the table's directory, relative to it; not the log."""
        root = os.path.join(self.lake, self.TABLE)
        return {os.path.relpath(os.path.join(d, f), root) for d, _, names in os.walk(root)
                if "_delta_log" not in os.path.relpath(d, root).split(os.sep) for f in names}

    def test_good_events_become_rows_once_and_bad_ones_go_to_the_dlq(self):
        topic = unique_name("events")
        self.start(self.pipeline("p", topic))
        good = [self.event(i) for i in range(3000)]
        bad = ["not json %d" % i for i in range(20)] + [json.dumps({"name": "no id %d" % i}) for i in range(10)] + \
              [json.dumps({"id": "seven"})]
        self.produce(topic, good + bad)
        self.wait_for_records(3000)
        self.assertEqual(self.table_counts(), {"n": 3000, "ids": 3000, "lo": 0, "hi": 2999})
        dlq = read_topic(self.broker.bootstrap, topic + ".dlq", len(bad))
        self.assertEqual(len(dlq), len(bad))
        reasons = [dict(m.headers())["sluice.error.message"].decode() for m in dlq]
        self.assertTrue(all(dict(m.headers())["sluice.error.category"] == b"validation" for m in dlq))
        self.assertTrue(any("not a JSON object" in r for r in reasons), reasons)
        self.assertTrue(any("column 'id' is required" in r for r in reasons), reasons)
        self.assertTrue(any("column 'id' (long): expected an integer" in r for r in reasons), reasons)
        # The typed columns read back as DuckDB types, with equal values.
        files = self.describe()["live_files"]
        row = duckdb("SELECT id, source, name, epoch_ms(ts) AS ts FROM read_parquet([%s]) WHERE id = 61"
                     % ", ".join("'%s'" % self.file_path(f) for f in files))
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

    # Crash points (docs/reliability.md): the sink kills itself at a chosen step of its first flush.

    def test_crash_while_writing_a_data_file_leaves_only_a_temp_file_and_loses_nothing(self):
        topic = unique_name("events")
        path = self.pipeline("p", topic, rows=200, interval="100ms")
        # The first put of a new table is its CREATE TABLE commit; the second, the first data file.
        self.crash_at("store.put.partial:2", path, topic, 1000)
        leftovers = self.data_files_on_disk()
        self.assertEqual(len(leftovers), 1, leftovers)
        self.assertRegex(leftovers.pop(), r"^\.tmp-part-.*\.parquet-[0-9a-f]+$")
        self.assertEqual(self.describe()["records"], 0)
        self.recover(path, 1000)
        # No orphan: the data file never reached its name. The temp file is no object (list() never
        # shows it; docs/object-store.md), but vacuum deletes it as an interrupted write.
        self.assertEqual(self.vacuum_orphans("--dry-run"), set())
        temp_files = {f for f in self.data_files_on_disk() if f.startswith(".tmp-")}
        self.assertEqual(len(temp_files), 1, temp_files)
        out = self.sluice_table("vacuum", "--older-than", "0s")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("deleted %s (interrupted write: never an object)" % next(iter(temp_files)), out.stdout)
        self.assertFalse({f for f in self.data_files_on_disk() if f.startswith(".tmp-")})
        self.assertEqual(self.table_counts(), {"n": 1000, "ids": 1000, "lo": 0, "hi": 999})

    def test_crash_before_the_commit_leaves_orphans_that_vacuum_removes_and_loses_nothing(self):
        topic = unique_name("events")
        path = self.pipeline("p", topic, rows=200, interval="100ms")
        self.crash_at("table.before_commit", path, topic, 1000)
        orphans = self.data_files_on_disk()
        self.assertTrue(orphans and all(f.endswith(".parquet") for f in orphans), orphans)
        self.assertEqual(self.describe()["records"], 0)
        self.recover(path, 1000)
        self.assertFalse(orphans & set(self.describe()["live_files"]))
        self.assertEqual(self.vacuum_orphans("--dry-run"), orphans)
        self.assertTrue(orphans <= self.data_files_on_disk())  # a dry run deletes nothing
        self.assertEqual(self.vacuum_orphans(), orphans)
        self.assertFalse(orphans & self.data_files_on_disk())
        self.assertEqual(self.table_counts(), {"n": 1000, "ids": 1000, "lo": 0, "hi": 999})

    def test_crash_after_the_commit_resumes_from_the_table_and_duplicates_nothing(self):
        topic = unique_name("events")
        path = self.pipeline("p", topic, rows=200, interval="100ms")
        self.crash_at("table.after_commit", path, topic, 1000)
        # The first flush is in the table, but no Kafka offset was committed for it: resuming from the
        # group's offsets would write it twice.
        self.assertGreater(self.describe()["records"], 0)
        self.recover(path, 1000)

    def test_crash_during_a_compaction_loses_and_duplicates_nothing_and_the_next_one_lands(self):
        # The sink compacts on its own thread while its appends carry on; a kill between
        # writing the compacted files and committing them must leave every row once.
        topic = unique_name("events")
        path = self.pipeline("p", topic, rows=100, interval="50ms", extra="      optimize_min_files: 3\n")
        point = "table.optimize.before_commit"
        stage = self.start(path, env={"SLUICE_CRASH_AT": point})
        # In waves, each committed before the next, so there are small files to compact.
        produced = 0
        while stage.proc.poll() is None:
            self.assertLess(produced, 1000, "the sink never compacted:\n" + stage.log_tail())
            self.produce(topic, [self.event(i) for i in range(produced, produced + 100)])
            produced += 100
            wait_until(lambda: stage.proc.poll() is not None or
                       (self.describe() or {}).get("records", 0) >= produced, 60, 0.1,
                       "%d records in the table" % produced)
        self.assertEqual(stage.proc.wait(30), -signal.SIGKILL, stage.log_tail())
        self.assertIn("crash point %s reached" % point, stage.log_tail())
        self.produce(topic, [self.event(i) for i in range(produced, 1000)])
        self.assertNotIn("OPTIMIZE", self.history_operations(), "the crash came before its commit")
        self.recover(path, 1000)
        orphans = self.vacuum_orphans("--dry-run")
        self.assertTrue(orphans, "the interrupted compaction's files were never committed")
        self.assertFalse(orphans & set(self.describe()["live_files"]))
        # More appends after the restart: the sink compacts them (and what was left) for good.
        self.produce(topic, [self.event(i) for i in range(1000, 1400)])
        wait_until(lambda: "OPTIMIZE" in self.history_operations(), 90, 0.3, "a compaction after the restart")
        self.wait_for_records(1400)
        self.assertEqual(self.vacuum_orphans(), orphans, "the interrupted compaction left the only orphans")
        self.assertEqual(self.table_counts(), {"n": 1400, "ids": 1400, "lo": 0, "hi": 1399})

    def group_committed(self, topic, group="p.sink"):
        """The group's committed offsets on `topic`, summed over its 3 partitions."""
        c = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": group})
        try:
            parts = [TopicPartition(topic, p) for p in range(3)]
            return sum(max(tp.offset, 0) for tp in c.committed(parts, timeout=10))
        finally:
            c.close()

    def test_a_crash_after_the_last_commit_still_lets_the_group_offsets_reach_the_end(self):
        # Everything is in the table when the sink dies, so after the restart nothing is left to
        # consume: the group's offsets must still move to the end (from the table's txn versions),
        # or `sluice up` would wait forever for the pipeline to drain.
        topic = unique_name("events")
        path = self.pipeline("p", topic, rows=100000, interval="1000ms")
        self.produce(topic, [self.event(i) for i in range(300)])
        stage = self.start(path, env={"SLUICE_CRASH_AT": "table.after_commit"})
        wait_until(lambda: stage.proc.poll() is not None, 60, 0.1, "the sink to die after its commit")
        self.assertEqual(stage.proc.returncode, -signal.SIGKILL, stage.log_tail())
        self.assertEqual(self.describe()["records"], 300, "one flush held every event")
        self.assertEqual(self.group_committed(topic), 0, "the crash came before Kafka's commit")
        self.start(path)
        wait_until(lambda: self.group_committed(topic) == 300, 60, 0.3, "the group's offsets at the end")
        self.assertEqual(self.table_counts(), {"n": 300, "ids": 300, "lo": 0, "hi": 299})

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
        # Two commits at least, so two files at least: file_max_rows is when the sink
        # flushes, and a slow machine can gather a whole burst into one file.
        self.produce(topic, [self.event(i) for i in range(500)])
        self.wait_for_records(500)
        self.produce(topic, [self.event(i) for i in range(500, 1000)])
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
        as_json = lambda *a: json.loads(subprocess.run([sluice_bin(), "table", *a, self.lake, "tables/events",
                                                        "--json"], capture_output=True, text=True,
                                                       timeout=60).stdout)
        self.assertIn("OPTIMIZE", [c["operation"] for c in as_json("history")])
        files = as_json("files")
        self.assertEqual(sorted(f["path"] for f in files), sorted(self.describe()["live_files"]))
        self.assertTrue(all(f["size"] > 0 for f in files), files)

    def assert_every_file_sorted_by_ts_then_id(self, described):
        """DuckDB reads each live file in its own row order: (ts, id) must never go down."""
        files = rows_per_file(self.lake, self.TABLE, described, ["epoch_us(ts)", "id"])
        self.assertEqual(len(files), len(described["live_files"]))
        for name, rows in files.items():
            keys = [(int(ts), int(i)) for ts, i in rows]
            self.assertEqual(keys, sorted(keys), name)
        self.assertGreater(max(len(rows) for rows in files.values()), 1, files)

    def history_operations(self):
        out = self.sluice_table("history", "--json")
        return [c["operation"] for c in json.loads(out.stdout)] if out.returncode == 0 else []

    def test_sort_by_orders_every_file_after_flushes_and_after_an_optimize(self):
        topic = unique_name("events")
        events = [self.event(i) for i in range(600)]
        random.Random(3).shuffle(events)  # arrival order is not (ts, id) order
        sorted_sink = "      sort_by: [ts, id]\n"
        stage = self.start(self.pipeline("p", topic, rows=100, interval="100ms", extra=sorted_sink))
        self.produce(topic, events[:300])
        self.wait_for_records(300)
        self.produce(topic, events[300:])
        flushed = self.wait_for_records(600)
        self.assertGreater(len(flushed["live_files"]), 1, "several flushes, several files")
        self.assert_every_file_sorted_by_ts_then_id(flushed)
        stage.terminate()

        # The sink compacts after its next flush: the small files' rows are sorted together.
        self.start(self.pipeline("p", topic, rows=100, interval="100ms",
                                 extra=sorted_sink + "      optimize_min_files: 2\n"))
        self.produce(topic, [self.event(i) for i in range(600, 650)])
        wait_until(lambda: "OPTIMIZE" in self.history_operations(), 90, 0.3, "the sink to compact")
        compacted = self.wait_for_records(650)
        self.assertLess(len(compacted["live_files"]), len(flushed["live_files"]))
        self.assert_every_file_sorted_by_ts_then_id(compacted)
        self.assertEqual(self.table_counts(), {"n": 650, "ids": 650, "lo": 0, "hi": 649})

    def test_table_optimize_sort_by_sorts_the_files_it_writes(self):
        topic = unique_name("events")
        events = [self.event(i) for i in range(300)]
        random.Random(5).shuffle(events)
        self.start(self.pipeline("p", topic, rows=100, interval="100ms"))  # no sort_by
        self.produce(topic, events[:150])
        self.wait_for_records(150)
        self.produce(topic, events[150:])
        self.wait_for_records(300)
        out = self.sluice_table("optimize", "--target-size", "64MiB", "--sort-by", "ts,id")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("compacted", out.stdout)
        self.assert_every_file_sorted_by_ts_then_id(self.describe())

    def test_until_caught_up_commits_the_backlog_then_exits_zero(self):
        topic = unique_name("events")
        self.produce(topic, [self.event(i) for i in range(1500)])
        run = subprocess.run([sluice_bin(), "run", self.pipeline("p", topic), "--admin", "127.0.0.1:0",
                              "--until-caught-up"], capture_output=True, text=True, timeout=120)
        self.assertEqual(run.returncode, 0, run.stderr[-3000:])
        self.assertEqual(self.describe()["records"], 1500)
        self.assertEqual(self.table_counts(), {"n": 1500, "ids": 1500, "lo": 0, "hi": 1499})

    def test_a_buffer_bound_below_the_flush_size_is_warned_about_with_the_fix(self):
        # The stage stops reading at queue.max_buffered_records, the sink's rows included:
        # a flush size above it is never reached, and the operator is told what to set.
        topic = unique_name("events")
        self.produce(topic, [self.event(i) for i in range(300)])
        warning = "its sink flushes by size at 500 records, but the stage holds at most 100"
        for queue, warned in (("100", True), ("1000", False)):
            path = self.pipeline("p" + queue, topic, rows=500)
            with open(path, "a") as f:
                f.write("    queue: {max_buffered_records: %s}\n" % queue)
            run = subprocess.run([sluice_bin(), "run", path, "--admin", "127.0.0.1:0", "--until-caught-up"],
                                 capture_output=True, text=True, timeout=120)
            self.assertEqual(run.returncode, 0, run.stderr[-3000:])
            self.assertEqual(warning in run.stderr, warned, run.stderr[-3000:])
            if warned:
                self.assertIn("set queue.max_buffered_records above 500", run.stderr)

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
        paths = ", ".join("'%s'" % self.file_path(f) for f in files)
        rows = duckdb("SELECT source, count(*) AS n, count(DISTINCT id) AS ids "
                      "FROM read_parquet([%s], hive_partitioning = true) GROUP BY source" % paths)
        self.assertEqual({r["source"]: int(r["n"]) for r in rows}, produced)
        self.assertEqual(sum(int(r["ids"]) for r in rows), len(sources))
        # Per the protocol, the partition column is in the path and the log, not in the files.
        one = duckdb("SELECT * FROM read_parquet('%s', hive_partitioning = false) LIMIT 1"
                     % self.file_path(files[0]))
        self.assertEqual(sorted(one[0]), ["id", "name", "ts"])
        dlq = read_topic(self.broker.bootstrap, topic + ".dlq", 1)
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
