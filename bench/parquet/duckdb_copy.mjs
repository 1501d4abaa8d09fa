// DuckDB's side of bench_parquet: builds the benchmark rows in an in-memory
// table (not timed), then times only `COPY t TO file (FORMAT parquet,
// COMPRESSION snappy)` (best of two runs). Also checks sluice's file with read_parquet.
//
// Usage: node duckdb_copy.mjs <node_modules_parent_dir> <rows> <out.parquet> <threads|0> [sluice.parquet]
// Prints one JSON object: {threads, seconds, bytes, sluice_rows, sluice_id_sum}.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const [modules, rowsArg, out, threadsArg, sluiceFile] = process.argv.slice(2);
const require = createRequire(path.join(modules, 'package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const rows = BigInt(rowsArg);
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
if (threadsArg !== '0') await c.run(`SET threads = ${Number(threadsArg)}`);
const threads = (await c.runAndReadAll("SELECT current_setting('threads') AS t")).getRowObjects()[0].t;

// The same rows bench_parquet generates for sluice (see main.cc).
await c.run(`CREATE TABLE t AS SELECT
    i AS id,
    'name_' || (i % 100) AS name,
    printf('%020d-%019d', i, (i * 2654435761) % 1000000007) AS payload,
    (i % 10000)::DOUBLE / 100 AS amount,
    make_timestamp(1700000000000000 + i * 1000) AS ts,
    i % 3 = 0 AS flag,
    CASE WHEN i % 5 = 0 THEN NULL ELSE (i % 1000)::INTEGER END AS opt
  FROM range(${rows}) r(i)`);

const quoted = `'${out.replaceAll("'", "''")}'`;
// Best of two, as bench_parquet does for sluice.
let seconds = Infinity;
for (let run = 0; run < 2; ++run) {
  const start = process.hrtime.bigint();
  await c.run(`COPY t TO ${quoted} (FORMAT parquet, COMPRESSION snappy)`);
  seconds = Math.min(seconds, Number(process.hrtime.bigint() - start) / 1e9);
}

const result = { threads: Number(threads), seconds, bytes: statSync(out).size };
if (sluiceFile) {
  const q = `'${sluiceFile.replaceAll("'", "''")}'`;
  const check = (await c.runAndReadAll(
    `SELECT count(*) AS n, sum(id) AS s, count(opt) AS o, max(payload) AS p FROM read_parquet(${q})`)).getRowObjects()[0];
  const expect = (await c.runAndReadAll(
    'SELECT count(*) AS n, sum(id) AS s, count(opt) AS o, max(payload) AS p FROM t')).getRowObjects()[0];
  result.sluice_file_matches = String(check.n) === String(expect.n) && String(check.s) === String(expect.s) &&
      String(check.o) === String(expect.o) && check.p === expect.p;
}
process.stdout.write(JSON.stringify(result) + '\n');
