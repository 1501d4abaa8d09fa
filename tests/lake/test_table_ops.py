"""`sluice table delete|backup|restore` on real tables: a table-sink stage (`sluice run`) writes
JSON events into a Delta table partitioned by year/month/day/hour, and DuckDB (an independent
reader) reads the live files back to check that

- `delete --older-than 30d` removes exactly the partitions whose hour ended more than 30 days
  ago — their rows are gone, every other row is still there, in one DELETE commit — and that
  `--dry-run` lists them without changing anything;
- `backup` then `restore` gives the same rows at the same version (the latest or `--version N`),
  on a local store and on S3 (s3rver), and a corrupted backup file is refused by name with
  nothing written."""

import datetime
import json
import os
import re
import shutil
import subprocess
import unittest

import test_s3_store as s3_tests
import test_table_sink as sink_tests
from broker import sluice_bin, unique_name  # noqa: E402  (tests/clients, on sys.path via test_table_sink)

duckdb = sink_tests.duckdb
NOW = datetime.datetime.now(datetime.timezone.utc)
# Hours the events fall in: two partitions far older than 30 days, one just older (31 days ago,
# the whole hour over), two recent ones. Every hour is one partition of the table.
OLD_HOURS = [NOW - datetime.timedelta(days=60), NOW - datetime.timedelta(days=45, hours=3),
             NOW - datetime.timedelta(days=31)]
NEW_HOURS = [NOW - datetime.timedelta(days=29, hours=23), NOW - datetime.timedelta(hours=1)]
PER_HOUR = 120


def partition(t):
    return {"year": t.year, "month": t.month, "day": t.day, "hour": t.hour}


def directory(t):
    return "year=%d/month=%d/day=%d/hour=%d/" % (t.year, t.month, t.day, t.hour)


class TableOpsCase(sink_tests.SinkTestCase):
    """A partitioned table written by the sink; helpers to run `sluice table` on any table."""

    def pipeline(self, name, topic, rows=100, interval="200ms", extra=""):
        return self.sink_pipeline(name, topic, """\
      columns: {id: long not null, value: double, year: integer, month: integer, day: integer, hour: integer}
      partition_by: [year, month, day, hour]
      file_max_rows: %d
      flush_interval_ms: %s
      checkpoint_interval: 3
%s""" % (rows, interval, extra))

    def write_table(self):
        """Events 0..N-1, PER_HOUR in each hour of OLD_HOURS + NEW_HOURS; returns {hour: ids}."""
        topic = unique_name("iot")
        self.start(self.pipeline("p", topic))
        ids, events = {}, []
        for h, t in enumerate(OLD_HOURS + NEW_HOURS):
            ids[t] = set(range(h * PER_HOUR, (h + 1) * PER_HOUR))
            events += [json.dumps({"id": i, "value": i / 4, **partition(t)}) for i in sorted(ids[t])]
        self.produce(topic, events)
        self.wait_for_records(len(events))
        self.stage.terminate()
        return ids

    def table(self, command, table, *flags, store=None):
        return subprocess.run([sluice_bin(), "table", command, store or self.lake, table, *flags],
                              capture_output=True, text=True, timeout=120, env={**os.environ, **self.env})

    def sluice(self, *args):
        return subprocess.run([sluice_bin(), *args], capture_output=True, text=True, timeout=120,
                              env={**os.environ, **self.env})

    def describe_table(self, table):
        out = self.table("describe", table, "--json")
        self.assertEqual(out.returncode, 0, out.stderr)
        return json.loads(out.stdout)

    def table_file(self, table, path):
        return os.path.join(self.lake, table, path)

    def rows(self, table):
        """The table's live rows as DuckDB reads them: (id, value, year, month, day, hour), sorted."""
        files = self.describe_table(table)["live_files"]
        if not files:
            return []
        paths = ", ".join("'%s'" % self.table_file(table, f) for f in files)
        rows = duckdb("SELECT id, value, year, month, day, hour FROM read_parquet([%s], hive_partitioning = true) "
                      "ORDER BY id" % paths)
        # BigInts and hive partition values come back as strings.
        return [(int(r["id"]), float(r["value"]), *(int(r[c]) for c in ("year", "month", "day", "hour")))
                for r in rows]

    def check_backup_and_restore(self, backup_url):
        """Backs up the latest version and an earlier one, restores both as new tables, compares."""
        self.write_table()
        before = self.describe_table(self.TABLE)
        out = self.table("backup", self.TABLE, "--to", backup_url, "--json")
        self.assertEqual(out.returncode, 0, out.stderr)
        manifest = json.loads(out.stdout)
        self.assertEqual(manifest["version"], before["version"])
        self.assertEqual({f["path"] for f in manifest["files"] if not f["path"].startswith("_delta_log/")},
                         set(before["live_files"]))
        out = self.sluice("table", "restore", "--from", backup_url, "--store", self.lake, "--to", "tables/restored")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("every checksum verified", out.stdout)
        after = self.describe_table("tables/restored")
        self.assertEqual((after["version"], after["records"], after["id"]),
                         (before["version"], before["records"], before["id"]))
        self.assertEqual(after["txns"], before["txns"])
        self.assertEqual(self.rows("tables/restored"), self.rows(self.TABLE))

        # An earlier version: the rows the table had then, and the version it had. How
        # many commits the sink made depends on its flush timing; the one before the
        # last always exists (version 0 creates the table, the rows come after it).
        self.assertGreaterEqual(before["version"], 1)
        early = before["version"] - 1
        out = self.table("backup", self.TABLE, "--to", backup_url + "-v%d" % early, "--version", str(early))
        self.assertEqual(out.returncode, 0, out.stderr)
        out = self.sluice("table", "restore", "--from", backup_url + "-v%d" % early, "--store", self.lake,
                          "--to", "tables/early")
        self.assertEqual(out.returncode, 0, out.stderr)
        early_table = self.describe_table("tables/early")
        self.assertEqual(early_table["version"], early)
        history = {c["version"]: c for c in json.loads(self.table("history", self.TABLE, "--json",
                                                                  "--limit", "1000").stdout)}
        self.assertEqual(early_table["records"], sum(history[v]["records_added"] for v in range(early + 1)))
        self.assertEqual(len(self.rows("tables/early")), early_table["records"])
        return backup_url


class TableOpsTest(TableOpsCase):

    def test_delete_older_than_removes_exactly_the_partitions_older_than_the_cutoff(self):
        ids = self.write_table()
        before = self.describe_table(self.TABLE)
        old_dirs = {directory(t) for t in OLD_HOURS}
        old_files = [f for f in before["live_files"] if any(f.startswith(d) for d in old_dirs)]
        self.assertTrue(old_files)

        dry = self.table("delete", self.TABLE, "--older-than", "30d", "--dry-run")
        self.assertEqual(dry.returncode, 0, dry.stderr)
        self.assertIn("time from year/month/day/hour", dry.stdout)
        self.assertEqual(set(re.findall(r"^(year=\S+/)\s", dry.stdout, re.M)), old_dirs)
        self.assertIn("would remove 3 partition(s): %d file(s)" % len(old_files), dry.stdout)
        self.assertEqual(self.describe_table(self.TABLE)["version"], before["version"])
        self.assertTrue(all(os.path.exists(self.table_file(self.TABLE, f)) for f in old_files))

        out = self.table("delete", self.TABLE, "--older-than", "30d", "--json")
        self.assertEqual(out.returncode, 0, out.stderr)
        report = json.loads(out.stdout)
        self.assertEqual({p["directory"] for p in report["partitions"]}, old_dirs)
        self.assertEqual(sum(p["records"] for p in report["partitions"]), 3 * PER_HOUR)
        self.assertEqual(report["partitions_kept"], 2)
        self.assertEqual(report["version"], before["version"] + 1)
        self.assertEqual(report["files_deleted"], len(old_files))

        # DuckDB: exactly the rows of the recent hours, each in its own partition.
        expected = sorted((i, i / 4, t.year, t.month, t.day, t.hour) for t in NEW_HOURS for i in ids[t])
        self.assertEqual(self.rows(self.TABLE), expected)
        self.assertFalse(any(os.path.exists(self.table_file(self.TABLE, f)) for f in old_files))
        last = json.loads(self.table("history", self.TABLE, "--json", "--limit", "1").stdout)[0]
        self.assertEqual((last["operation"], last["files_removed"], last["files_added"]),
                         ("DELETE", len(old_files), 0))

        # Nothing older is left: a second run is a no-op, and commits nothing.
        again = self.table("delete", self.TABLE, "--older-than", "30d")
        self.assertIn("removed 0 partition(s)", again.stdout)
        self.assertEqual(self.describe_table(self.TABLE)["version"], report["version"])

        unknown = self.table("delete", self.TABLE, "--older-than", "30d", "--time-column", "nope")
        self.assertEqual(unknown.returncode, 1)
        self.assertIn("--time-column nope: the table has no partition column 'nope'; its partition columns are "
                      "[year, month, day, hour]", unknown.stderr)
        not_time = self.table("delete", self.TABLE, "--older-than", "30d", "--time-column", "hour")
        self.assertEqual(not_time.returncode, 1)
        self.assertIn("the column is integer, not a date, timestamp or string", not_time.stderr)

    def test_backup_and_restore_give_the_same_rows_at_the_same_version(self):
        self.check_backup_and_restore(os.path.join(self.tmp, "backup"))

    def test_a_corrupt_backup_file_is_named_and_nothing_is_restored(self):
        self.write_table()
        backup = os.path.join(self.tmp, "backup")
        self.assertEqual(self.table("backup", self.TABLE, "--to", backup).returncode, 0)
        # Into a non-empty destination: refused.
        again = self.table("backup", self.TABLE, "--to", backup)
        self.assertEqual(again.returncode, 1)
        self.assertIn("is not empty", again.stderr)
        # Over the existing table: refused.
        over = self.sluice("table", "restore", "--from", backup)
        self.assertEqual(over.returncode, 1)
        self.assertIn("a table already exists at", over.stderr)

        victim = self.describe_table(self.TABLE)["live_files"][-1]
        with open(os.path.join(backup, victim), "r+b") as f:
            f.seek(10)
            byte = f.read(1)
            f.seek(10)
            f.write(bytes([byte[0] ^ 0xFF]))
        out = self.sluice("table", "restore", "--from", backup, "--store", self.lake, "--to", "tables/restored")
        self.assertEqual(out.returncode, 1)
        self.assertIn("backup file file://%s/%s is corrupt" % (backup, victim), out.stderr)
        self.assertIn("nothing was restored", out.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.lake, "tables/restored")))

        # A backup cut short (no manifest) is refused too.
        os.remove(os.path.join(backup, "_sluice_backup.json"))
        out = self.sluice("table", "restore", "--from", backup, "--store", self.lake, "--to", "tables/restored")
        self.assertEqual(out.returncode, 1)
        self.assertIn("no backup at", out.stderr)


class TableOpsS3Test(s3_tests.S3LakeCase, TableOpsCase):
    """The table, its backup and the restored table on S3 (s3rver)."""

    LAKE_PREFIX = "ops-"

    def table_file(self, table, path):
        return os.path.join(self.server.dir, "data", "lake", self.prefix, table, path + "._S3rver_object")

    def test_backup_and_restore_on_s3(self):
        self.check_backup_and_restore("s3://lake/%s-backup" % self.prefix)


if __name__ == "__main__":
    unittest.main()
