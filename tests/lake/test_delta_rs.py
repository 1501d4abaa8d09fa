"""Delta tables shared with delta-rs (the `deltalake` package from PyPI), an independent
implementation of the Delta protocol (issue 20, item 5; docs/tables.md):

- delta-rs reads a table sluice's table sink wrote — the same rows as DuckDB reads from the
  live files, the same schema and partition columns — also from sluice's Parquet checkpoint
  alone, with the JSON commits before it deleted;
- sluice reads a commit delta-rs appended (records, and the writer in `table history`), then
  optimizes and vacuums that table, and delta-rs still reads every row exactly once.

delta-rs runs in the PyPI venv (scripts/install-py-clients.sh) through delta_rs_probe.py."""

import json
import os
import shutil
import subprocess
import threading
import unittest

import test_table_ops as ops

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VENV_PYTHON = os.path.join(REPO_ROOT, ".cache", "pyclients", "venv", "bin", "python")
PROBE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "delta_rs_probe.py")
COLUMNS = ["id", "value", "year", "month", "day", "hour"]


def delta_rs(*args, storage_options=None):
    """Runs the probe in the venv with a clean environment (plus `storage_options` for
    delta-rs' object store, as JSON); returns its JSON answer."""
    if not os.path.exists(VENV_PYTHON):
        raise unittest.SkipTest("no PyPI venv: run scripts/install-py-clients.sh")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/")}
    if storage_options:
        env["DELTA_RS_STORAGE_OPTIONS"] = json.dumps(storage_options)
    out = subprocess.run([VENV_PYTHON, PROBE, *args], capture_output=True, text=True, timeout=120, env=env)
    if out.returncode != 0:
        raise AssertionError("delta_rs_probe.py %s failed: %s" % (args[0], out.stderr))
    return json.loads(out.stdout)


class DeltaRsTest(ops.TableOpsCase):

    # Where delta-rs finds the table, and what its object store needs to get there.
    STORAGE_OPTIONS = None

    def table_dir(self):
        return os.path.join(self.lake, self.TABLE)

    def delta_rs(self, *args):
        return delta_rs(*args, storage_options=self.STORAGE_OPTIONS)

    def read_with_delta_rs(self, path=None):
        """delta-rs' view: version, partitions, fields and rows as (id, value, year, ...) tuples."""
        answer = self.delta_rs("read", path or self.table_dir())
        index = [answer["fields"].index(c) for c in COLUMNS]
        answer["rows"] = [(int(r[index[0]]), float(r[index[1]]), *(int(r[i]) for i in index[2:]))
                          for r in answer["rows"]]
        return answer

    def write_in_rounds(self, rounds=5):
        """The sink commits at least once per round (it waits for each round's rows), so the
        table passes a checkpoint (every 3 versions) on the way; returns the ids written."""
        topic = ops.unique_name("iot")
        self.start(self.pipeline("p", topic))
        ids = []
        for r, t in enumerate((ops.OLD_HOURS + ops.NEW_HOURS)[:rounds]):
            events = [json.dumps({"id": r * ops.PER_HOUR + i, "value": i / 4, **ops.partition(t)})
                      for i in range(ops.PER_HOUR)]
            self.produce(topic, events)
            ids += range(r * ops.PER_HOUR, (r + 1) * ops.PER_HOUR)
            self.wait_for_records(len(ids))
        self.stage.terminate()
        return ids

    def assert_delta_rs_reads_the_sinks_table_as_duckdb_does(self):
        """Writes the table in rounds; delta-rs' rows, version, partitions and fields must be
        sluice's. Returns the rows."""
        ids = self.write_in_rounds()
        described = self.describe_table(self.TABLE)
        theirs = self.read_with_delta_rs()
        ours = self.rows(self.TABLE)
        self.assertEqual([r[0] for r in ours], ids)
        self.assertEqual(theirs["rows"], ours)
        self.assertEqual(theirs["version"], described["version"])
        self.assertEqual(theirs["partition_columns"], described["partition_columns"])
        self.assertEqual(theirs["partition_columns"], ["year", "month", "day", "hour"])
        self.assertEqual(theirs["fields"], [c["name"] for c in described["columns"]])
        return ours

    def test_delta_rs_reads_a_sinks_table_as_duckdb_does_and_from_its_checkpoint_alone(self):
        ours = self.assert_delta_rs_reads_the_sinks_table_as_duckdb_does()

        # The sink checkpoints every 3 versions (checkpoint_interval: 3): with the JSON
        # commits up to the checkpoint gone, only sluice's checkpoint Parquet says what the
        # table held then, and delta-rs still reads every row.
        copy = os.path.join(self.tmp, "checkpoint-only")
        shutil.copytree(self.table_dir(), copy)
        log = os.path.join(copy, "_delta_log")
        with open(os.path.join(log, "_last_checkpoint")) as f:
            checkpoint = json.load(f)["version"]
        self.assertGreaterEqual(checkpoint, 3)
        for name in os.listdir(log):
            if name.endswith(".json") and int(name.split(".")[0]) <= checkpoint:
                os.remove(os.path.join(log, name))
        self.assertEqual(self.read_with_delta_rs(copy)["rows"], ours)

    def test_sluice_reads_optimizes_and_vacuums_a_table_delta_rs_appended_to(self):
        self.write_table()
        before = self.describe_table(self.TABLE)
        extra = [{"id": 100000 + i, "value": i / 8, "year": 2026, "month": 1, "day": 5, "hour": 10}
                 for i in range(25)]
        appended = self.delta_rs("append", self.table_dir(), json.dumps(extra))
        self.assertEqual(appended["version"], before["version"] + 1)

        after = self.describe_table(self.TABLE)
        self.assertEqual(after["version"], appended["version"])
        self.assertEqual(after["records"], before["records"] + len(extra))
        history = json.loads(self.table("history", self.TABLE, "--json", "--limit", "1000").stdout)
        writers = {c["version"]: c["writer"] for c in history}
        self.assertTrue(writers[appended["version"]].startswith("delta-rs"), writers)
        self.assertEqual({w for v, w in writers.items() if v != appended["version"]}, {"sluice"})
        expected = sorted(self.rows(self.TABLE))
        self.assertEqual(len(expected), after["records"])
        self.assertIn((100000, 0.0, 2026, 1, 5, 10), expected)

        out = self.table("optimize", self.TABLE, "--min-files", "2")
        self.assertEqual(out.returncode, 0, out.stderr)
        out = self.table("vacuum", self.TABLE, "--older-than", "0s")
        self.assertEqual(out.returncode, 0, out.stderr)
        compacted = self.describe_table(self.TABLE)
        self.assertGreater(compacted["version"], after["version"])
        self.assertLess(len(compacted["live_files"]), len(after["live_files"]))
        self.assertEqual(self.rows(self.TABLE), expected)
        theirs = self.read_with_delta_rs()
        self.assertEqual(theirs["version"], compacted["version"])
        self.assertEqual(theirs["rows"], expected)


    def test_delta_rs_appending_while_the_sink_commits_loses_and_doubles_nothing(self):
        topic = ops.unique_name("iot")
        self.start(self.pipeline("p", topic, interval="100ms"))
        hour = ops.partition(ops.NEW_HOURS[1])
        appended, errors = [], []

        def append_with_delta_rs():
            try:
                for n in range(8):
                    rows = [{"id": 500000 + n * 10 + i, "value": 0.5, **hour} for i in range(10)]
                    self.delta_rs("append", self.table_dir(), json.dumps(rows))
                    appended.extend(r["id"] for r in rows)
            except Exception as e:  # noqa: BLE001 — reported by the main thread
                errors.append(e)

        self.wait_for_records(0)  # the sink created the table
        writer = threading.Thread(target=append_with_delta_rs)
        writer.start()
        sent = []
        for r in range(8):  # the sink commits every 100 ms while delta-rs appends
            events = [json.dumps({"id": r * 50 + i, "value": 1.0, **hour}) for i in range(50)]
            self.produce(topic, events)
            sent += range(r * 50, (r + 1) * 50)
        writer.join(120)
        self.assertEqual(errors, [])
        self.wait_for_records(len(sent) + len(appended))
        self.stage.terminate()

        ids = [r[0] for r in self.rows(self.TABLE)]
        self.assertEqual(ids, sorted(sent + appended), "every row once, from both writers")
        self.assertEqual([r[0] for r in self.read_with_delta_rs()["rows"]], ids)
        history = json.loads(self.table("history", self.TABLE, "--json", "--limit", "1000").stdout)
        by_writer = {}
        for c in history:
            writer = "delta-rs" if c["writer"].startswith("delta-rs") else c["writer"]
            by_writer.setdefault(writer, []).append(c["version"])
        self.assertEqual(len(by_writer.get("delta-rs", [])), 8, by_writer)
        self.assertGreaterEqual(len(by_writer.get("sluice", [])), 2, by_writer)
        versions = sorted(c["version"] for c in history)
        self.assertEqual(versions, list(range(len(versions))), "one commit per version, none lost")


if __name__ == "__main__":
    unittest.main()
