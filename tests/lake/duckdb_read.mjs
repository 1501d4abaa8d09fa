// Reads a Parquet file with DuckDB (an independent reader) and prints, as one
// JSON object: the rows, DESCRIBE, parquet_metadata() and parquet_schema().
//
// Usage: node duckdb_read.mjs <file.parquet>
//
// Values are printed so they compare exactly with parquet_write_tool's JSON:
// BIGINTs, timestamps (µs since the epoch) and dates (days since the epoch) as
// decimal strings, blobs as "hex:...", maps as [key, value] pairs, structs as
// objects, NaN/Infinity as strings.
import { DuckDBInstance } from '@duckdb/node-api';

function plain(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(plain);
  if (v.micros !== undefined) return v.micros.toString();  // TIMESTAMP, TIMESTAMPTZ
  if (v.days !== undefined) return String(v.days);         // DATE
  if (v.bytes !== undefined) return 'hex:' + Buffer.from(v.bytes).toString('hex');  // BLOB
  if (v.items !== undefined) return v.items.map(plain);    // LIST
  if (Array.isArray(v.entries)) return v.entries.map((e) => [plain(e.key), plain(e.value)]);  // MAP
  if (v.entries !== undefined) {  // STRUCT
    const out = {};
    for (const [k, x] of Object.entries(v.entries)) out[k] = plain(x);
    return out;
  }
  return String(v);
}

async function rows(connection, sql) {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjects().map((row) => {
    const out = {};
    for (const [k, x] of Object.entries(row)) out[k] = plain(x);
    return out;
  });
}

const file = process.argv[2];
const quoted = `'${file.replaceAll("'", "''")}'`;
const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
await connection.run("SET TimeZone = 'UTC'");
const result = {
  rows: await rows(connection, `SELECT * FROM read_parquet(${quoted})`),
  describe: await rows(connection, `DESCRIBE SELECT * FROM read_parquet(${quoted})`),
  metadata: await rows(connection, `SELECT * FROM parquet_metadata(${quoted})`),
  schema: await rows(connection, `SELECT * FROM parquet_schema(${quoted})`),
};
process.stdout.write(JSON.stringify(result) + '\n');
