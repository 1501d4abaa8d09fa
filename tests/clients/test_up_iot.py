"""`sluice up examples/iot-events`: the IoT pipeline (validate, one-minute
windows with a two-minute watermark, raw and aggregate Delta tables) with its
demo source's bad, late, out-of-order and duplicate events. The window stage
and the aggregates table sink are killed with kill -9 mid-run; the promise
checked, by `sluice validate`, by the summary and independently with DuckDB, is
that every event is a raw row or a DLQ record and every closed window is one
aggregate row — none duplicated, none missing — whose count equals its raw rows
(less its late records)."""

import collections
import json
import os
import re
import signal
import unittest

from broker import wait_until
from demo_env import FREE_PORTS
from lake_tables import describe_table, duckdb, read_parquet_sql
from stage_fixture import read_topic
from up_session import UpSession

EVENTS = 8000
WINDOW_MS = 60_000
LATENESS_MS = 120_000


class UpIotTest(UpSession):

    PIPELINE = "examples/iot-events"
    ENV = FREE_PORTS

    def lake(self):
        return os.path.join(self.data, "data", "lake")

    def table(self, name):
        return describe_table(self.lake(), "tables/" + name, env=self.env)

    def kill9(self, name):
        """SIGKILL one stage process and wait for `sluice up` to run a new one."""
        pid = self.processes()[name]["pid"]
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: self.processes().get(name, {}).get("pid", -1) not in (-1, pid), 60, 0.2,
                   "stage %s restarted" % name)

    def validate(self):
        return self.sluice("validate", "examples/iot-events", "--data-dir", self.data)

    def test_kill_9_of_the_window_stage_and_the_table_sink_keeps_every_window_exactly_once(self):
        up = self.start_up("--count", str(EVENTS), "--rate", "400", "--source-flag", "seed=7",
                           "--keep-running")
        wait_until(lambda: (self.table("iot_aggregates") or {}).get("records", 0) > 0, 120, 0.5,
                   "the first window rows in the table")
        self.kill9("windows")  # rows emitted since its last checkpoint come out again
        wait_until(lambda: (self.table("iot_aggregates") or {}).get("records", 0) > 60, 120, 0.5,
                   "more window rows after the restart")
        self.kill9("aggregates")
        # Drained once validate accounts for everything (it fails while records are in flight).
        last = {}

        def validated():
            last["run"] = self.validate()
            return last["run"].returncode == 0

        wait_until(validated, 180, 1.0, "`sluice validate` to pass",
                   explain=lambda: "--- its last answer ---\n%s%s\n--- sluice up ---\n%s"
                   % (last["run"].stdout[-3000:], last["run"].stderr[-2000:], self.up_err()[-3000:]))
        check = self.validate()
        self.assertIn("OK: every event is a raw row or a DLQ record", check.stdout, check.stdout + check.stderr)
        figures = json.loads(self.sluice("validate", "examples/iot-events", "--data-dir", self.data, "--json").stdout)
        self.assertEqual(figures["manifest"]["events"], EVENTS)
        self.assertGreater(figures["late_records"], 0, "the demo's late events reach the late topic")
        self.assertGreater(figures["events_dead_lettered"], 0, "the demo's bad events reach the DLQ")
        # The health check covers the window stage's watermark (the demo's event clock runs ahead
        # of the wall clock, so its windows close in time).
        health = json.loads(self.sluice("health", "--data-dir", self.data, "--json").stdout)
        watermark = [c for c in health["checks"] if c["check"] == "watermark windows"]
        self.assertEqual([c["status"] for c in watermark], ["OK"], health)
        bootstrap = self.processes()["broker"]["admin"]
        late = read_topic(bootstrap, "iot.valid.late", figures["late_records"], timeout=30)
        emitted = read_topic(bootstrap, "iot.aggregates", figures["window_rows"], timeout=30)
        up.send_signal(signal.SIGINT)
        self.assertEqual(up.wait(120), 0, self.up_err()[-3000:])
        summary = self.up_err()
        self.assertRegex(summary, r"aggregates \d+ \(")  # the progress line names the second stage's output

        raw, rows = self.table("iot_raw"), self.table("iot_aggregates")
        self.assertEqual(rows["partition_columns"], ["year", "month", "day", "hour"])
        self.assertTrue(all(re.match(r"year=\d{4}/month=\d+/day=\d+/hour=\d+/", f) for f in rows["live_files"]),
                        rows["live_files"][:3])
        raw_sql, rows_sql = (read_parquet_sql(self.lake(), "tables/" + t, d)
                             for t, d in (("iot_raw", raw), ("iot_aggregates", rows)))
        # The partition columns are the window start's UTC calendar fields.
        wrong = duckdb("SELECT count(*) AS n FROM %s WHERE year <> year(window_start) OR month <> month(window_start)"
                       " OR day <> day(window_start) OR hour <> hour(window_start)" % rows_sql)
        self.assertEqual(int(wrong[0]["n"]), 0)
        per_window = duckdb("SELECT window_id, epoch_ms(window_start) AS w, device_id, event_count AS n, "
                            "count(*) OVER (PARTITION BY window_start, device_id) AS copies FROM %s" % rows_sql)
        duplicated = [r for r in per_window if int(r["copies"]) > 1]
        self.assertFalse(duplicated, "window rows twice in the table: %s" % duplicated[:5])
        raw_counts = {(int(r["w"]), r["device_id"]): int(r["n"]) for r in duckdb(
            "SELECT epoch_ms(timestamp) // %d * %d AS w, device_id, count(*) AS n FROM %s GROUP BY ALL"
            % (WINDOW_MS, WINDOW_MS, raw_sql))}
        late_counts = collections.Counter()
        for m in late:
            start = dict(m.headers())["sluice.window.missed"].decode().split("/")[0]
            late_counts[(start, m.key().decode())] += 1
        newest = max(w for w, _ in raw_counts)
        closed = newest + WINDOW_MS - LATENESS_MS - 2 * WINDOW_MS  # windows ending before: surely emitted
        got = {(int(r["w"]), r["device_id"]): int(r["n"]) for r in per_window}
        iso = {int(r["w"]): r["window_id"].split(" ")[0] for r in per_window}
        for key, n in raw_counts.items():
            expected = n - late_counts[(iso.get(key[0], ""), key[1])]
            if key[0] + WINDOW_MS <= closed and expected > 0:
                self.assertEqual(got.get(key), expected, "window %s: raw rows less late ones" % (key,))
        for key, n in got.items():
            self.assertLessEqual(n, raw_counts.get(key, 0), "window %s counts more than its raw rows" % (key,))
        self.assertIn("OK: every event is a raw row or a DLQ record", self.up_out(), self.up_out())
        print("\n%d window rows in the table, %d emitted to iot.aggregates (%d again after the kill -9); "
              "%d late records" % (len(per_window), len(emitted), len(emitted) - len(per_window), len(late)))


if __name__ == "__main__":
    unittest.main()
