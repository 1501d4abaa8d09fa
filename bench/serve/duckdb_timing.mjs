// DuckDB's side of bench_serve: one long-lived DuckDB (opened once, not timed)
// runs each query of a spec over the table's live Parquet files, every query
// `repeat` times in the spec's order (round robin, as the serve side), and
// times each run from the call to the rows held in JavaScript.
//
// Usage: node duckdb_timing.mjs <node_modules_parent_dir> <spec.json>
// spec: {files: [paths], repeat: N, queries: [{name, sql}]} — `sql` reads the view
//       `ticks` (read_parquet over `files`, hive partitioning: the day=/exchange=
//       directories become columns, as Delta's partition values).
// Prints one JSON object: {threads, version, runs: {name: [ms...]},
//                          results: {name: {count, first, last}}} (first/last: first column).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [modules, specFile] = process.argv.slice(2);
const require = createRequire(path.join(modules, 'package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const spec = JSON.parse(readFileSync(specFile, 'utf8'));
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
// Timestamps are compared and printed in UTC, as `sluice serve` answers.
await c.run("SET TimeZone = 'UTC'");
const list = spec.files.map((f) => `'${f.replaceAll("'", "''")}'`).join(', ');
await c.run(`CREATE VIEW ticks AS SELECT * FROM read_parquet([${list}], hive_partitioning = true)`);
const threads = (await c.runAndReadAll("SELECT current_setting('threads') AS t")).getRowObjects()[0].t;
const version = (await c.runAndReadAll('SELECT version() AS v')).getRowObjects()[0].v;

const runs = {};
const results = {};
for (let i = 0; i < spec.repeat; ++i) {
  for (const q of spec.queries) {
    const t0 = process.hrtime.bigint();
    const reader = await c.runAndReadAll(q.sql);
    const rows = reader.getRows();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    (runs[q.name] ??= []).push(ms);
    if (!(q.name in results)) {
      const first = rows.length ? String(rows[0][0]) : null;
      const last = rows.length ? String(rows[rows.length - 1][0]) : null;
      results[q.name] = { count: rows.length, first, last, row: reader.getRowObjectsJson()[0] ?? null };
    }
  }
}
process.stdout.write(JSON.stringify({ threads: String(threads), version, runs, results }) + '\n');
