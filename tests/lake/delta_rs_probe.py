"""delta-rs (the `deltalake` package from PyPI, in .cache/pyclients/venv) as an independent
Delta reader and writer for test_delta_rs.py. One command per run; prints one JSON object.

  read TABLE             {"version", "partition_columns", "fields", "rows", "files"}
  append TABLE ROWS_JSON appends the rows (a JSON list of objects, typed like the table)
                         and prints {"version"} after its commit

TABLE is a directory or an s3:// URL; DELTA_RS_STORAGE_OPTIONS (JSON) is passed to
delta-rs as its storage_options (endpoint, keys, conditional put).

os._exit ends the process: delta-rs' runtime threads can abort the interpreter's own
shutdown ("terminate called without an active exception") after all work is done."""

import json
import os
import sys

import pyarrow as pa
from deltalake import DeltaTable, write_deltalake


OPTIONS = json.loads(os.environ.get("DELTA_RS_STORAGE_OPTIONS", "null"))


def read(path):
    table = DeltaTable(path, storage_options=OPTIONS)
    data = table.to_pyarrow_table()
    columns = data.column_names
    rows = sorted(([row[c] for c in columns] for row in data.to_pylist()), key=lambda r: r[0])
    return {"version": table.version(), "partition_columns": table.metadata().partition_columns,
            "fields": [f.name for f in table.schema().fields], "rows": rows,
            "files": len(table.file_uris())}


def append(path, rows_json):
    schema = DeltaTable(path, storage_options=OPTIONS).schema().to_arrow()
    schema = pa.schema(schema)
    data = pa.Table.from_pylist(json.loads(rows_json), schema=schema)
    write_deltalake(path, data, mode="append", storage_options=OPTIONS)
    return {"version": DeltaTable(path, storage_options=OPTIONS).version()}


def main():
    command, path = sys.argv[1], sys.argv[2]
    out = read(path) if command == "read" else append(path, sys.argv[3])
    sys.stdout.write(json.dumps(out, default=str) + "\n")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 — the test prints what delta-rs said
        sys.stderr.write("delta-rs: %s: %s\n" % (type(e).__name__, e))
        sys.stderr.flush()
        os._exit(1)
