"""Apache Spark as the oracle of the IoT windows (issue 17, item 8).

`sluice demo-source --kind iot` produces a few thousand device readings, with
every bad and late kind of docs/demo-source.md, to the built-in broker. Two
jobs read the same topic:

- Spark 4 Structured Streaming with its own Kafka source (a compatibility test of
  the broker as much as an oracle) runs the seed's job, spark/iot_job.py: the
  rules, 1-minute tumbling windows, a 2-minute watermark, avg/count/min/max/stddev
  and the two flag counts, appended to Parquet;
- sluice runs spark/iot-pipeline.yaml twice, into two Delta tables: as three
  stages (validate, window-aggregate, table-sink), one `sluice run --stage`
  each, and with validate and window-aggregate fused into one stage (a `chain`
  processor) before the same sink.

DuckDB reads the tables back. Each of sluice's must hold the same windows as
Spark's, one row each, with equal counts and values equal within 1e-9 relative.

Watermarks: sluice advances a partition's watermark with every record; Spark
only between micro-batches (from the largest event time of the batches before).
The input topic has one partition, so both track the same maximum, and Spark
reads it in micro-batches of 100 records (50 s of event time at 500 ms per
event). A late event of the demo source is 2 to 10 minutes behind the
watermark, so its window ended at least a minute before it: both see it as
late whichever batch it is in, and an out-of-order one (at most a minute
behind the newest) is on time for both. Rows of windows still open at the end
(the last 2-3 minutes) are in neither table: Spark's last, empty batch and
sluice's release both stop at the same final watermark.
"""

import collections
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(HERE, "..", "clients"))

from broker import BrokerProcess, sluice_bin, wait_until  # noqa: E402
from stage_fixture import StageProcess, read_topic, stop_stages  # noqa: E402

SPARK_PYTHON = os.path.join(REPO_ROOT, ".cache", "spark", "venv", "bin", "python")
SPARK_JOB = os.path.join(HERE, "spark", "iot_job.py")
PIPELINE = os.path.join(HERE, "spark", "iot-pipeline.yaml")
TABLE = "tables/device_minutes"

EVENTS = 4000
INTERVAL = "500ms"
SEED = 17
KEY = ("window_start", "device_id", "device_type", "location", "unit")
EXACT = ("window_end", "event_count", "low_battery_count", "weak_signal_count")
APPROX = ("avg_value", "min_value", "max_value", "stddev_value")
ALL_CASES = {"good", "out_of_order", "late", "duplicate", "value_out_of_range", "bad_boolean", "missing_field",
             "wrong_type", "malformed_json", "battery_out_of_range", "signal_out_of_range",
             "duration_out_of_range", "unknown_device_type", "far_future"}


def duckdb(sql):
    out = subprocess.run(["node", os.path.join(HERE, "duckdb_query.mjs"), sql], cwd=HERE, capture_output=True,
                         text=True, timeout=120)
    if out.returncode != 0:
        raise AssertionError("duckdb failed: %s\n%s" % (out.stderr, sql))
    return json.loads(out.stdout)


def rows_by_key(source):
    """The rows of `source` (a DuckDB table expression) keyed by window and group;
    timestamps as epoch milliseconds. Fails on a key that appears twice."""
    rows = duckdb("SELECT epoch_ms(window_start) AS window_start, epoch_ms(window_end) AS window_end, "
                  "device_id, device_type, location, unit, event_count, avg_value, min_value, max_value, "
                  "stddev_value, low_battery_count, weak_signal_count FROM %s" % source)
    out = {}
    for r in rows:
        key = tuple(str(r[k]) for k in KEY)
        if key in out:
            raise AssertionError("window %s is in %s twice: %s and %s" % (key, source, out[key], r))
        out[key] = r
    return out


def close(a, b, rel=1e-9):
    if a is None or b is None:
        return a is None and b is None
    a, b = float(a), float(b)
    return abs(a - b) <= rel * max(abs(a), abs(b))


class SparkOracleTest(unittest.TestCase):

    def setUp(self):
        if not os.path.exists(SPARK_PYTHON):
            self.fail("Spark is not installed (%s is missing): run scripts/install-spark.sh" % SPARK_PYTHON)
        self.tmp = tempfile.mkdtemp(prefix="sluice-spark-")
        # One partition per topic: the watermark argument of the module docstring.
        self.broker = BrokerProcess(default_partitions=1, group_initial_rebalance_delay_ms=0)
        self.stages = []
        self.spark_log = os.path.join(self.tmp, "spark.log")

    def tearDown(self):
        if stop_stages(self, self.stages, 60):
            if os.path.exists(self.spark_log):
                with open(self.spark_log, errors="replace") as f:
                    sys.stderr.write("\n--- spark (tail) ---\n%s\n" % "".join(f.readlines()[-60:]))
        self.broker.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def produce_events(self):
        """The demo source's events, starting an hour from now (so a 'far future'
        event, a day past its neighbours, is past now + 1 day for both validators,
        and every other event within it). Returns the manifest's lines."""
        start = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).replace(
            second=0, microsecond=0)
        manifest = os.path.join(self.tmp, "manifest.jsonl")
        out = subprocess.run([sluice_bin(), "demo-source", "--kind", "iot", "--bootstrap", self.broker.bootstrap,
                              "--count", str(EVENTS), "--rate", "20000", "--devices", "24",
                              "--start-time", start.strftime("%Y-%m-%dT%H:%M:%SZ"), "--event-interval", INTERVAL,
                              "--seed", str(SEED), "--bad-share", "0.05", "--late-share", "0.02",
                              "--manifest", manifest, "--exit-when-done"],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        with open(manifest) as f:
            lines = [json.loads(line) for line in f]
        self.assertEqual(len(lines), EVENTS)
        self.assertEqual({e["case"] for e in lines}, ALL_CASES, "the input lacks a kind of event")
        return lines

    def start_sluice(self, variant, stages, env):
        """One way of running the job: its stages, with `env` pointing its topics elsewhere;
        its own groups (pipeline name), state and lake (tmp/VARIANT/lake)."""
        home = os.path.join(self.tmp, variant)
        env = dict(env, SLUICE_BOOTSTRAP=self.broker.bootstrap, SLUICE_PIPELINE="iot-oracle-" + variant,
                   SLUICE_STAGE_SINK_OPTIONS_STORE=os.path.join(home, "lake"))
        for name in stages:
            workdir = os.path.join(home, name)
            os.makedirs(workdir)
            self.stages.append(StageProcess(PIPELINE, workdir, env, args=["--stage", name]).start())
        return os.path.join(home, "lake")

    def run_spark(self):
        with open(self.spark_log, "w") as log:
            out = subprocess.run([SPARK_PYTHON, SPARK_JOB, "--bootstrap", self.broker.bootstrap,
                                  "--topic", "iot-events", "--max-offsets-per-trigger", "100",
                                  "--out", os.path.join(self.tmp, "spark-out"),
                                  "--checkpoint", os.path.join(self.tmp, "spark-checkpoint")],
                                 stdout=subprocess.PIPE, stderr=log, text=True, timeout=480)
        self.assertEqual(out.returncode, 0, "the Spark job failed; its log is printed below")
        return json.loads(out.stdout.strip().splitlines()[-1])

    @staticmethod
    def sluice_table_files(lake):
        out = subprocess.run([sluice_bin(), "table", "describe", lake, TABLE, "--json"],
                             capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            return None
        d = json.loads(out.stdout)
        return d["records"], [os.path.join(lake, TABLE, f) for f in d["live_files"]]

    def test_sluice_aggregates_equal_sparks(self):
        manifest = self.produce_events()
        expected = collections.Counter(e["expected"] for e in manifest)
        lakes = {
            "stages": self.start_sluice("stages", ("validate", "windows", "sink"),
                                        {"SLUICE_STAGE_WINDOWS_STATE_STORE": os.path.join(self.tmp, "stages", "state")}),
            "fused": self.start_sluice("fused", ("validate-windows", "sink"), {
                "SLUICE_STAGE_VALIDATE_WINDOWS_STATE_STORE": os.path.join(self.tmp, "fused", "state"),
                "SLUICE_STAGE_VALIDATE_WINDOWS_OUTPUTS": "iot-aggregates.fused",
                "SLUICE_STAGE_VALIDATE_WINDOWS_DLQ_TOPIC": "iot-events.fused.dlq",
                "SLUICE_STAGE_SINK_INPUT": "iot-aggregates.fused"}),
        }
        progress = self.run_spark()
        self.assertEqual(progress["input_rows"], EVENTS, progress)

        spark = rows_by_key("read_parquet('%s/spark-out/**/*.parquet', hive_partitioning=true)" % self.tmp)
        self.assertGreater(len(spark), 500, "Spark aggregated too few windows to compare")
        for variant, lake in lakes.items():
            with self.subTest(variant=variant):
                self.assert_table_equals_sparks(lake, spark)
        # Spark counts late rows after its partial aggregation (two late events of one
        # device and window are one row), so its figure is at most sluice's.
        self.assertGreater(progress["rows_dropped_by_watermark"], 0)
        self.assertLessEqual(progress["rows_dropped_by_watermark"], expected["late"])

        # What Spark drops without a trace, sluice keeps: every rule-breaking event in
        # the DLQ, every late one on the late topic (the fused stage's is its input's).
        for variant, dlq_topic, late_topic in (("stages", "iot-events.dlq", "iot-events.valid.late"),
                                               ("fused", "iot-events.fused.dlq", "iot-events.late")):
            dlq = read_topic(self.broker.bootstrap, dlq_topic, expected["dlq"])
            late = read_topic(self.broker.bootstrap, late_topic, expected["late"])
            self.assertEqual((len(dlq), len(late)), (expected["dlq"], expected["late"]), variant)

    def assert_table_equals_sparks(self, lake, spark):
        # sluice is done when its table holds as many rows as Spark's: every window
        # both closed (a row more would be a duplicate, and fail below).
        wait_until(lambda: (self.sluice_table_files(lake) or (0,))[0] >= len(spark), 120, 0.5,
                   "%d rows in sluice's table %s" % (len(spark), lake))
        _, files = self.sluice_table_files(lake)
        ours = rows_by_key("read_parquet([%s])" % ", ".join("'%s'" % f for f in files))

        only_spark = sorted(set(spark) - set(ours))
        only_ours = sorted(set(ours) - set(spark))
        self.assertEqual((only_spark[:5], only_ours[:5]), ([], []),
                         "windows only Spark has (%d), only sluice has (%d)" % (len(only_spark), len(only_ours)))
        mismatches = []
        for key, s in spark.items():
            o = ours[key]
            for col in EXACT:
                if str(s[col]) != str(o[col]):
                    mismatches.append((key, col, s[col], o[col]))
            for col in APPROX:
                if not close(s[col], o[col]):
                    mismatches.append((key, col, s[col], o[col]))
        self.assertEqual(mismatches[:10], [], "%d values differ (key, column, Spark, sluice)" % len(mismatches))
        self.assertEqual(sum(int(r["event_count"]) for r in ours.values()),
                         sum(int(r["event_count"]) for r in spark.values()))
        self.assertTrue(any(int(r["low_battery_count"]) for r in ours.values()), "no low-battery flag counted")
        self.assertTrue(any(int(r["weak_signal_count"]) for r in ours.values()), "no weak-signal flag counted")

if __name__ == "__main__":
    unittest.main()
