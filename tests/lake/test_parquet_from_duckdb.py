"""sluice's FileReader reads Parquet files another writer (DuckDB) wrote.

DuckDB fills more of parquet.thrift than sluice models (statistics, encoding
stats, fields sluice never writes), so this is the forward-compatibility check
of the Thrift codec: fields it does not describe are skipped and the values
come back exactly. duckdb_query.mjs writes the files with COPY ... TO;
parquet_read_tool (tests/lake/tools) reads each and prints its rows as JSON.
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get('SLUICE_BUILD_DIR', os.path.join(HERE, '..', '..', 'build'))
TOOL = os.path.join(BUILD, 'tests', 'parquet_read_tool')
ROWS = 3000

# Types sluice reads (no integer columns: DuckDB annotates them INTEGER(bits, signed)).
SELECT = f"""
SELECT 'name' || (i % 7) AS name,
       (i * 0.5)::DOUBLE AS amount,
       i % 2 = 0 AS flag,
       CASE WHEN i % 5 = 0 THEN NULL ELSE (i * 1.5)::DOUBLE END AS opt,
       DATE '2024-01-01' + i::INTEGER AS day,
       TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_microseconds(i) AS ts,
       [i::DOUBLE, NULL]::DOUBLE[] AS nums,
       {{'a': (i * 2)::DOUBLE, 'b': 'x' || i}} AS st,
       MAP {{'k': i::DOUBLE}} AS m
FROM range({ROWS}) t(i)
"""


def expected_row(i):
    """Row i of SELECT as parquet_read_tool prints it."""
    return ['name%d' % (i % 7), i * 0.5, i % 2 == 0, None if i % 5 == 0 else i * 1.5,
            str(19723 + i), str(1704067200000000 + i), [float(i), None],
            {'a': 2.0 * i, 'b': 'x%d' % i}, [['k', float(i)]]]


def duckdb(sql):
    subprocess.run(['node', os.path.join(HERE, 'duckdb_query.mjs'), sql], cwd=HERE, check=True,
                   capture_output=True, text=True)


def read_with_sluice(path):
    return subprocess.run([TOOL, path], capture_output=True, text=True)


class ParquetFromDuckDBTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(TOOL):
            raise unittest.SkipTest(f'{TOOL} not built (cmake --build <build> --target parquet_read_tool)')
        cls.dir = tempfile.mkdtemp(prefix='sluice-from-duckdb-')

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_values_duckdb_wrote_read_back_exactly(self):
        for codec in ('uncompressed', 'snappy', 'zstd'):
            path = os.path.join(self.dir, f'{codec}.parquet')
            duckdb(f"COPY ({SELECT}) TO '{path}' (FORMAT parquet, COMPRESSION {codec}, ROW_GROUP_SIZE 1000)")
            res = read_with_sluice(path)
            self.assertEqual(res.returncode, 0, res.stderr)
            got = json.loads(res.stdout)
            self.assertEqual(got['fields'], ['name', 'amount', 'flag', 'opt', 'day', 'ts', 'nums', 'st', 'm'])
            rows = sorted(got['rows'], key=lambda r: int(r[5]))  # by ts: i microseconds
            self.assertEqual(len(rows), ROWS, codec)
            for i, row in enumerate(rows):
                self.assertEqual(row, expected_row(i), f'{codec} row {i}')

    def test_logical_type_sluice_does_not_know_is_refused_cleanly(self):
        # TINYINT: INT32 annotated INTEGER(8, signed), a LogicalType member the codec
        # does not describe; the reader sees which member it is and refuses the column.
        path = os.path.join(self.dir, 'tinyint.parquet')
        duckdb(f"COPY (SELECT i::TINYINT AS small FROM range(10) t(i)) TO '{path}' (FORMAT parquet)")
        res = read_with_sluice(path)
        self.assertEqual(res.returncode, 1, res.stdout)
        self.assertIn("unsupported schema element 'small': type annotation", res.stderr)


if __name__ == '__main__':
    unittest.main()
