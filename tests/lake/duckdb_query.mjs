// Runs one SQL query in DuckDB (an independent Parquet reader) and prints the
// rows as a JSON array; BigInt values are printed as strings.
// Usage: node duckdb_query.mjs "SELECT ..."
import { DuckDBInstance } from '@duckdb/node-api';

const sql = process.argv[2];
const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
const reader = await connection.runAndReadAll(sql);
const rows = reader.getRowObjectsJson();
process.stdout.write(JSON.stringify(rows) + '\n');
