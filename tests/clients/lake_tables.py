"""Reading sluice's Delta tables back with DuckDB, an independent Parquet reader:
the live files come from `sluice table describe --json` (the log's view), the
rows from DuckDB over those files. Shared by the table sink tests and the
pipeline tests that check a table's contents."""

import json
import os
import subprocess

from broker import sluice_bin

LAKE_TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lake")


def duckdb(sql):
    """The rows of one query as a list of dicts (BIGINTs as strings)."""
    out = subprocess.run(["node", os.path.join(LAKE_TESTS, "duckdb_query.mjs"), sql], cwd=LAKE_TESTS,
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise AssertionError("duckdb failed: %s" % out.stderr)
    return json.loads(out.stdout)


def describe_table(store, table, env=None):
    """`sluice table describe STORE TABLE --json`, or None while the table does not exist."""
    out = subprocess.run([sluice_bin(), "table", "describe", store, table, "--json"], capture_output=True,
                         text=True, timeout=120, env=env)
    return json.loads(out.stdout) if out.returncode == 0 else None


def rows_per_file(store, table, described, columns):
    """{live file: [row tuple, ...]} in each file's own row order, as DuckDB reads the file:
    `columns` are SQL expressions over a file's columns (e.g. epoch_us(ts))."""
    paths = ", ".join("'%s'" % os.path.join(store, table, f) for f in described["live_files"])
    rows = duckdb("SELECT filename, file_row_number, %s FROM read_parquet([%s], filename = true, "
                  "file_row_number = true, hive_partitioning = false) ORDER BY filename, file_row_number"
                  % (", ".join("%s AS c%d" % (c, i) for i, c in enumerate(columns)), paths))
    out = {}
    for r in rows:
        out.setdefault(r["filename"], []).append(tuple(r["c%d" % i] for i in range(len(columns))))
    return out


def read_parquet_sql(store, table, described):
    """A DuckDB read_parquet(...) over the table's live files, partition columns included."""
    paths = ", ".join("'%s'" % os.path.join(store, table, f) for f in described["live_files"])
    return "read_parquet([%s], hive_partitioning = true)" % paths
