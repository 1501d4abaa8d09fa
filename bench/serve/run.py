#!/usr/bin/env python3
"""bench/serve: `sluice serve` (docs/query-api.md) against DuckDB on the same Parquet files.
Prints figures; asserts only that both answer the same (docs/performance.md has the
measured figures). Issue 19 item 6's goal: the query API no slower than DuckDB.

  1. The table: --ticks ticks (default 10 million) of --symbols symbols over --days
     Sydney sessions, written by sluice itself: `sluice demo-source --kind ticks` (in
     Avro through `sluice registry`, as bench/ticks) into the built-in broker, then
     examples/market-ticks' two stages (`check`: decode, validate, sequence, quarantine;
     the `ticks` table sink), as bench/ticks runs them. The source's bad mix is off
     (--bad-share 0, no duplicates or disorder), so every tick becomes a row; the stages
     still check each one. Its wall time and rows are printed.
  2. The stages and broker stop; `sluice serve` starts on the table
     (--date-column day: the example's partition column).
  3. Queries: for --pairs (symbol, UTC day) pairs — the busiest symbol (BHP) and
     others, days from the middle of the table — `GET /v1/ticks?symbol=S&from=D&to=D+1
     &limit=10000` and `GET /v1/summary/S/D`, round robin until each kind has run
     --requests times, over one keep-alive HTTP connection, each timed from the
     request to the last byte of the answer.
  4. DuckDB (node, tests/lake's node modules) in one long-lived process
     (duckdb_timing.mjs) runs the same queries as SQL, in the same order and number,
     over the live files listed by the table's _delta_log (add minus remove actions,
     read here from the JSON commits), hive partitioning on, with the day filter
     spelled out (`day = DATE 'D'`, DuckDB's partition pruning; sluice derives it
     from the time range). Each run is timed from the call to the rows in JavaScript.
  5. Both answers are compared: ticks by count, first and last message id;
     summaries by trades, open, high, low, close, volume and VWAP.

Usage: build/bench/bench_serve [--ticks N] [--days D] [--requests R] [--keep-data]
                               [--table DIR] [--serve-arg=--file-cache-mib=0 ...]
"""

import argparse
import datetime
import glob
import http.client
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
MODULES_DIR = os.path.join(REPO_ROOT, "tests", "lake")
DUCKDB_TIMING = os.path.join(HERE, "duckdb_timing.mjs")
KEY = "bench-serve-key"

# bench/ticks' Phase: a broker, a copy of examples/market-ticks, its stages.
_spec = importlib.util.spec_from_file_location("bench_ticks_run", os.path.join(HERE, "..", "ticks", "run.py"))
_ticks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_ticks)
Phase, Child, BenchError, tail, percentile = _ticks.Phase, _ticks.Child, _ticks.BenchError, _ticks.tail, \
    _ticks.percentile
INPUT, TABLE = _ticks.INPUT, _ticks.TABLE


def machine_state():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = {ln.split(":")[0]: int(ln.split()[1]) for ln in f if ln.split(":")[0] in ("MemTotal", "MemAvailable")}
    return "%d cores (%s), %.1f GiB RAM (%.1f available), load average %.2f" % (
        os.cpu_count(), model, mem["MemTotal"] / 2**20, mem["MemAvailable"] / 2**20, os.getloadavg()[0])


def build_table(o, scratch):
    """Runs the market-ticks pipeline over --ticks ticks; returns the table's directory."""
    p = Phase(o, scratch, "table")
    try:
        t0 = time.monotonic()
        session_ticks = max(1, o.ticks // o.days)
        # In Avro through the phase's `sluice registry`, as the example's validate stage reads them.
        out = subprocess.run([o.sluice, "demo-source", "--kind", "ticks", "--bootstrap", p.bootstrap,
                              "--registry", p.registry_url, "--topic", INPUT, "--count", str(o.ticks),
                              "--rate", "1e9", "--symbols", str(o.symbols),
                              "--session-ticks", str(session_ticks), "--session-date", o.session_date,
                              "--bad-share", "0", "--duplicate-share", "0", "--disorder-share", "0",
                              "--seed", str(o.seed), "--exit-when-done"], capture_output=True, text=True)
        if out.returncode != 0:
            raise BenchError("demo-source failed: %s" % out.stderr[-2000:])
        produced = time.monotonic() - t0
        # The table sink holds what it consumed until its next flush; the default queue
        # (10,000 records) would cap it at about 10,000 ticks per flush interval.
        os.environ["SLUICE_STAGE_TICKS_QUEUE_MAX_BUFFERED_RECORDS"] = str(o.sink_buffer)
        os.environ["SLUICE_STAGE_TICKS_QUEUE_MAX_IN_FLIGHT"] = str(min(o.sink_buffer, 100000))
        os.environ["SLUICE_STAGE_TICKS_QUEUE_MAX_BUFFERED_BYTES"] = "1GiB"
        p.start_stages()
        p.wait_caught_up()
        took = time.monotonic() - t0
        print("table: %d ticks, %d symbols, %d sessions from %s: produced in %.1f s, through the stages "
              "into the table in %.1f s more (%.0f ticks/s)"
              % (o.ticks, o.symbols, o.days, o.session_date, produced, took - produced,
                 o.ticks / (took - produced)), flush=True)
    finally:
        p.close()
    return os.path.join(p.work, TABLE)


def live_files(table):
    """The table's live data files, replaying the add and remove actions of its JSON commits."""
    commits = sorted(glob.glob(os.path.join(table, "_delta_log", "*.json")))
    if not commits or not commits[0].endswith("00000000000000000000.json"):
        raise BenchError("%s/_delta_log does not start at version 0; cannot list its live files" % table)
    live = {}
    for path in commits:
        with open(path) as f:
            for action in map(json.loads, f):
                if "add" in action:
                    live[action["add"]["path"]] = True
                elif "remove" in action:
                    live.pop(action["remove"]["path"], None)
    return [os.path.join(table, p) for p in sorted(live)], len(commits) - 1


def pick_pairs(o, files):
    """(symbol, UTC day) pairs: the symbols first, then the days of the table's middle."""
    days = sorted({m.group(1) for f in files for m in [re.search(r"/day=(\d{4}-\d\d-\d\d)/", f)] if m})
    if not days:
        raise BenchError("no day=YYYY-MM-DD partition in the table's file paths")
    symbols = ["BHP", "CBA", "CSL", "WES", "TLS"][:max(1, o.symbols)]
    middle = days[len(days) // 2 - min(len(days) // 2, 2):][:5]
    pairs = [(s, d) for d in middle for s in symbols]
    return pairs[:o.pairs], len(days)


def queries_for(pairs):
    """[(name, serve path, DuckDB SQL)] in run order."""
    out = []
    for s, d in pairs:
        t0 = "TIMESTAMPTZ '%s 00:00:00+00'" % d
        where = ("symbol = '%s' AND day = DATE '%s' AND exchange_timestamp >= %s AND exchange_timestamp < "
                 "%s + INTERVAL 1 DAY" % (s, d, t0, t0))
        order = "ORDER BY exchange_timestamp, exchange_sequence_number"
        out.append(("ticks %s %s" % (s, d), "/v1/ticks?symbol=%s&from=%s&to=%s&limit=10000" % (s, d, next_day(d)),
                    "SELECT message_id, * FROM ticks WHERE %s %s LIMIT 10000" % (where, order)))
        out.append(("summary %s %s" % (s, d), "/v1/summary/%s/%s" % (s, d),
                    "SELECT count(*) AS trades, first(price %s) AS open, max(price) AS high, min(price) AS low, "
                    "last(price %s) AS close, sum(volume) AS volume, sum(price * volume) / sum(volume) AS vwap "
                    "FROM ticks WHERE %s" % (order, order, where)))
    return out


def next_day(d):
    return (datetime.date.fromisoformat(d) + datetime.timedelta(days=1)).isoformat()


def time_serve(o, table, queries, repeat):
    serve = Child("sluice serve", [o.sluice, "serve", os.path.dirname(os.path.dirname(table)), "tables/ticks",
                                   "--listen", "127.0.0.1:0", "--date-column", "day"] + o.serve_arg,
                  os.path.join(os.path.dirname(table), "serve.log"), env=dict(os.environ, SLUICE_API_KEY=KEY))
    try:
        port = int(serve.wait_line(r"listening on http://127\.0\.0\.1:(\d+)", 30).group(1))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        runs, answers = {}, {}
        for _ in range(repeat):
            for name, path, _sql in queries:
                t0 = time.perf_counter()
                conn.request("GET", path, headers={"X-API-Key": KEY})
                resp = conn.getresponse()
                body = resp.read()
                runs.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
                if resp.status != 200:
                    raise BenchError("GET %s answered %d: %s" % (path, resp.status, body[:500]))
                answers.setdefault(name, json.loads(body))
        conn.close()
        return runs, answers, serve.cpu_seconds()
    finally:
        serve.stop()


def time_duckdb(files, queries, repeat, scratch):
    spec = os.path.join(scratch, "duckdb-spec.json")
    with open(spec, "w") as f:
        json.dump({"files": files, "repeat": repeat, "queries": [{"name": n, "sql": s} for n, _, s in queries]}, f)
    out = subprocess.run(["node", DUCKDB_TIMING, MODULES_DIR, spec], capture_output=True, text=True, timeout=7200)
    if out.returncode != 0:
        raise BenchError("duckdb_timing.mjs failed: %s" % out.stderr[-2000:])
    return json.loads(out.stdout)


def same_answers(serve_answers, duck_results):
    """Differences between the two sides' answers, as readable lines."""
    diffs = []
    for name, a in serve_answers.items():
        d = duck_results[name]
        if name.startswith("ticks"):
            got = (a["count"], a["ticks"][0]["message_id"] if a["ticks"] else None,
                   a["ticks"][-1]["message_id"] if a["ticks"] else None)
            want = (d["count"], d["first"], d["last"])
            if got != want:
                diffs.append("%s: serve (count, first, last) %s, DuckDB %s" % (name, got, want))
        else:
            row = d["row"]
            for k in ("trades", "open", "high", "low", "close", "volume", "vwap"):
                x, y = float(a[k]), float(row[k])
                if not math.isclose(x, y, rel_tol=1e-9):
                    diffs.append("%s: %s serve %r, DuckDB %r" % (name, k, a[k], row[k]))
    return diffs


def figures(runs_by_name, kind):
    ms = sorted(v for n, vs in runs_by_name.items() if n.startswith(kind) for v in vs)
    return {"n": len(ms), "p50": percentile(ms, 0.5), "p99": percentile(ms, 0.99), "max": ms[-1] if ms else 0}


def report(serve_runs, duck_runs, serve_answers):
    for kind in ("ticks", "summary"):
        s, d = figures(serve_runs, kind), figures(duck_runs, kind)
        print("  %-8s sluice serve p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms   (%d requests)"
              % (kind, s["p50"], s["p99"], s["max"], s["n"]))
        print("  %-8s DuckDB       p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms   (%d queries)"
              % ("", d["p50"], d["p99"], d["max"], d["n"]))
        print("  %-8s serve / DuckDB: p50 %.2fx  p99 %.2fx  (goal, p99 no slower than DuckDB: %s)"
              % ("", s["p50"] / d["p50"], s["p99"] / d["p99"], "met" if s["p99"] <= d["p99"] else "not met"))
    rows = [a["count"] if "count" in a else a["trades"] for a in serve_answers.values()]
    scans = [a["scan"] for a in serve_answers.values()]
    print("  per answer (the first of each): %d-%d rows; serve read %d-%d files (%d-%d of them from its file "
          "cache, %.1f-%.1f MiB fetched), pruned %d-%d by partition"
          % (min(rows), max(rows), min(s["files_read"] for s in scans), max(s["files_read"] for s in scans),
             min(s.get("files_cached", 0) for s in scans), max(s.get("files_cached", 0) for s in scans),
             min(s["bytes_fetched"] for s in scans) / 2**20, max(s["bytes_fetched"] for s in scans) / 2**20,
             min(s["files_pruned_by_partition"] for s in scans), max(s["files_pruned_by_partition"] for s in scans)))


def main():
    ap = argparse.ArgumentParser(description="sluice serve against DuckDB on a market-ticks table")
    ap.add_argument("--ticks", type=int, default=10_000_000)
    ap.add_argument("--symbols", type=int, default=40)
    ap.add_argument("--days", type=int, default=20, help="Sydney sessions the ticks are spread over")
    ap.add_argument("--session-date", default="2026-11-02", help="the first session's date")
    ap.add_argument("--pairs", type=int, default=20, help="(symbol, day) pairs queried")
    ap.add_argument("--requests", type=int, default=200, help="requests of each kind (ticks, summary)")
    ap.add_argument("--sink-buffer", type=int, default=200000,
                    help="the ticks stage's queue.max_buffered_records (the example's default: 10000)")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=3600, help="for the pipeline to write the table")
    ap.add_argument("--sluice", default=os.environ.get("SLUICE_BIN") or os.path.join(REPO_ROOT, "build", "sluice"))
    ap.add_argument("--dir", default="/tmp")
    ap.add_argument("--table", help="query this table (a directory holding _delta_log) instead of writing one")
    ap.add_argument("--keep-data", action="store_true")
    ap.add_argument("--serve-arg", action="append", default=[],
                    help="one more argument for `sluice serve`, e.g. --serve-arg=--file-cache-mib=0 (repeatable)")
    o = ap.parse_args()

    def run(scratch):
        print("==== bench_serve: %s, scratch %s ====" % (machine_state(), scratch), flush=True)
        table = os.path.abspath(o.table) if o.table else build_table(o, scratch)
        files, version = live_files(table)
        pairs, days = pick_pairs(o, files)
        queries = queries_for(pairs)
        repeat = max(1, math.ceil(o.requests / len(pairs)))
        size = sum(os.path.getsize(f) for f in files)
        print("queries: table version %d, %d live files (%.0f MiB) over %d UTC days; %d (symbol, day) pairs, "
              "each queried %d times per kind; %s" % (version, len(files), size / 2**20, days, len(pairs), repeat,
                                                      machine_state()), flush=True)
        serve_runs, serve_answers, serve_cpu = time_serve(o, table, queries, repeat)
        duck = time_duckdb(files, queries, repeat, scratch)
        print("DuckDB %s, %s threads; sluice serve used %.1f CPU-s" % (duck["version"], duck["threads"], serve_cpu))
        report(serve_runs, duck["runs"], serve_answers)
        diffs = same_answers(serve_answers, duck["results"])
        if diffs:
            raise BenchError("the answers differ:\n  " + "\n  ".join(diffs[:20]))
        print("  answers: the same on both sides (%d queries: ticks by count, first and last message id; "
              "summaries by trades, OHLC, volume, VWAP)" % len(queries))

    return _ticks.in_scratch("serve", o, run)


if __name__ == "__main__":
    sys.exit(main())
