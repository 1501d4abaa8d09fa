"""DuckDB, an independent Parquet reader, reads the files sluice's FileWriter writes.

parquet_write_tool (tests/lake/tools) writes deterministic files -- every type,
nulls, nested struct/list/map, each codec, dictionary and plain, several row
groups -- and prints the expected rows and statistics as JSON; duckdb_read.mjs
reads each file with read_parquet(), DESCRIBE, parquet_metadata() and
parquet_schema(). Values are compared one by one; integers, timestamps (µs)
and dates (days) travel as decimal strings so nothing is rounded on the way.
"""
import json
import os
import shutil
import struct
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get('SLUICE_BUILD_DIR', os.path.join(HERE, '..', '..', 'build'))
TOOL = os.path.join(BUILD, 'tests', 'parquet_write_tool')

FLAT_TYPES = {
    'b': 'BOOLEAN', 'i32': 'INTEGER', 'i64': 'BIGINT', 'f': 'FLOAT', 'd': 'DOUBLE', 's': 'VARCHAR',
    'bin': 'BLOB', 'ts': 'TIMESTAMP WITH TIME ZONE', 'date': 'DATE', 'req_id': 'BIGINT', 'req_name': 'VARCHAR',
}
NESTED_TYPES = {
    'id': 'BIGINT',
    'add': 'STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, modificationTime BIGINT, '
           'dataChange BOOLEAN, stats VARCHAR, tags MAP(VARCHAR, VARCHAR))',
    'metaData': 'STRUCT(id VARCHAR, partitionColumns VARCHAR[], "configuration" MAP(VARCHAR, VARCHAR))',
    'nums': 'INTEGER[]',
    'matrix': 'DOUBLE[][]',
    'points': 'STRUCT(x BIGINT, "label" VARCHAR)[]',
    'counts': 'MAP(VARCHAR, BIGINT)',
    'inner': 'STRUCT(deep STRUCT(v VARCHAR), w INTEGER)',
}


def same(expected, actual, where):
    """Compares the tool's JSON value with DuckDB's; returns a message or None."""
    if expected is None or actual is None:
        return None if expected is actual else f'{where}: expected {expected!r}, got {actual!r}'
    if isinstance(expected, bool):
        return None if actual is expected else f'{where}: expected {expected!r}, got {actual!r}'
    if isinstance(expected, str) and expected in ('NaN', 'Infinity', '-Infinity'):
        return None if actual == expected else f'{where}: expected {expected}, got {actual!r}'
    if isinstance(expected, str):
        # Integers arrive as numbers for INTEGER and as strings for BIGINT.
        got = str(actual) if isinstance(actual, int) and not isinstance(actual, bool) else actual
        return None if got == expected else f'{where}: expected {expected!r}, got {actual!r}'
    if isinstance(expected, (int, float)):
        ok = isinstance(actual, (int, float)) and not isinstance(actual, bool) and float(actual) == float(expected)
        return None if ok else f'{where}: expected {expected!r}, got {actual!r}'
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f'{where}: expected {expected!r}, got {actual!r}'
        for i, (e, a) in enumerate(zip(expected, actual)):
            msg = same(e, a, f'{where}[{i}]')
            if msg:
                return msg
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or set(actual) != set(expected):
            return f'{where}: expected {expected!r}, got {actual!r}'
        for k in expected:
            msg = same(expected[k], actual[k], f'{where}.{k}')
            if msg:
                return msg
        return None
    return f'{where}: unexpected value {expected!r}'


def parse_stat(kind, text):
    if kind in ('int32', 'int64'):
        return int(text)
    if kind == 'float':  # DuckDB prints the shortest float32 text; round it back to float32
        return struct.unpack('<f', struct.pack('<f', float(text)))[0]
    if kind == 'double':
        return float(text)
    if kind == 'boolean':
        return text.lower() == 'true'
    return text


class ParquetDuckDBTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(TOOL):
            raise unittest.SkipTest(f'{TOOL} not built (cmake --build <build> --target parquet_write_tool)')
        cls.dir = tempfile.mkdtemp(prefix='sluice-parquet-')
        out = subprocess.run([TOOL, cls.dir], check=True, capture_output=True, text=True).stdout
        cls.files = {f['name']: f for f in json.loads(out)['files']}
        cls.duck = {}
        for name, f in cls.files.items():
            res = subprocess.run(['node', os.path.join(HERE, 'duckdb_read.mjs'), f['path']], cwd=HERE,
                                 check=True, capture_output=True, text=True)
            cls.duck[name] = json.loads(res.stdout)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_every_value_matches(self):
        for name, f in self.files.items():
            rows = self.duck[name]['rows']
            self.assertEqual(len(rows), len(f['rows']), name)
            for r, (expected, actual) in enumerate(zip(f['rows'], rows)):
                for field, value in zip(f['fields'], expected):
                    msg = same(value, actual[field], f'{name} row {r} {field}')
                    self.assertIsNone(msg, msg)

    def test_duckdb_sees_the_declared_types(self):
        for name in self.files:
            expected = NESTED_TYPES if name.startswith('nested') else FLAT_TYPES
            if name == 'dictionary_fallback':
                expected = {'uniq': 'VARCHAR', 'few': 'VARCHAR'}
            got = {c['column_name']: c['column_type'] for c in self.duck[name]['describe']}
            self.assertEqual(got, expected, name)

    def test_schema_annotations(self):
        schema = {e['name']: e for e in self.duck['flat_snappy']['schema']}
        self.assertEqual(schema['ts']['type'], 'INT64')
        self.assertEqual(schema['ts']['converted_type'], 'TIMESTAMP_MICROS')
        self.assertIn('MICROS', schema['ts']['logical_type'])
        self.assertRegex(schema['ts']['logical_type'], r'isAdjustedToUTC=(1|true)')
        self.assertEqual((schema['date']['type'], schema['date']['converted_type']), ('INT32', 'DATE'))
        self.assertEqual((schema['s']['type'], schema['s']['converted_type']), ('BYTE_ARRAY', 'UTF8'))
        self.assertEqual((schema['bin']['type'], schema['bin']['converted_type']), ('BYTE_ARRAY', None))
        self.assertEqual(schema['f']['type'], 'FLOAT')
        self.assertEqual(schema['req_id']['repetition_type'], 'REQUIRED')
        self.assertEqual(schema['i64']['repetition_type'], 'OPTIONAL')
        nested = self.duck['nested_zstd']['schema']
        kinds = {(e['name'], e['converted_type']) for e in nested}
        self.assertIn(('partitionColumns', 'LIST'), kinds)
        self.assertIn(('partitionValues', 'MAP'), kinds)
        self.assertIn(('key_value', None), kinds)
        repeated = {e['name'] for e in nested if e['repetition_type'] == 'REPEATED'}
        self.assertEqual(repeated, {'list', 'key_value'})

    def test_codecs_and_row_groups(self):
        for name, f in self.files.items():
            meta = self.duck[name]['metadata']
            self.assertEqual({m['compression'] for m in meta}, {f['codec']}, name)
            groups = {m['row_group_id']: int(m['row_group_num_rows']) for m in meta}
            self.assertEqual(sum(groups.values()), len(f['rows']), name)
            if name != 'dictionary_fallback':
                self.assertGreater(len(groups), 1, f'{name} should span several row groups')

    def test_statistics(self):
        for name, f in self.files.items():
            meta = self.duck[name]['metadata']
            for column_id, col in enumerate(f['columns']):
                chunks = [m for m in meta if int(m['column_id']) == column_id]
                where = f'{name} {col["path"]}'
                self.assertEqual(sum(int(m['stats_null_count']) for m in chunks), col['null_count'], where)
                if col['min'] is None:
                    self.assertTrue(all(m['stats_min_value'] is None for m in chunks), where)
                    continue
                if col['type'] in ('timestamp', 'date', 'binary'):
                    continue  # DuckDB renders these as text in its own format; presence is enough here
                kind = col['type']
                mins = [parse_stat(kind, m['stats_min_value']) for m in chunks if m['stats_min_value'] is not None]
                maxs = [parse_stat(kind, m['stats_max_value']) for m in chunks if m['stats_max_value'] is not None]
                if kind == 'string':  # unsigned byte order, as Parquet defines it for strings
                    mins = [m.encode() for m in mins]
                    maxs = [m.encode() for m in maxs]
                    expected_min, expected_max = col['min'].encode(), col['max'].encode()
                elif kind in ('int32', 'int64'):
                    expected_min, expected_max = int(col['min']), int(col['max'])
                else:
                    expected_min, expected_max = col['min'], col['max']
                self.assertEqual(min(mins), expected_min, where)
                self.assertEqual(max(maxs), expected_max, where)

    def test_dictionary_and_plain_encodings(self):
        def encodings(name, column_id):
            return [m['encodings'] for m in self.duck[name]['metadata'] if int(m['column_id']) == column_id]
        for e in encodings('flat_snappy', 5):  # s
            self.assertIn('RLE_DICTIONARY', e)
        for m in self.duck['flat_plain']['metadata']:
            self.assertIsNone(m['dictionary_page_offset'])
            self.assertNotIn('DICTIONARY', m['encodings'])
        uniq = encodings('dictionary_fallback', 0)
        self.assertTrue(any('RLE_DICTIONARY' in e and 'PLAIN' in e for e in uniq), uniq)
        for e in encodings('dictionary_fallback', 1):
            self.assertIn('RLE_DICTIONARY', e)

    def test_duckdb_filters_with_statistics(self):
        # A query DuckDB answers from the data and the row-group statistics must agree with the tool's rows.
        f = self.files['flat_zstd']
        expected = sum(1 for r in f['rows'] if r[2] is not None and int(r[2]) > 10**12)
        out = subprocess.run(['node', '-e', f'''
            import('@duckdb/node-api').then(async ({{DuckDBInstance}}) => {{
              const c = await (await DuckDBInstance.create(':memory:')).connect();
              const r = await c.runAndReadAll("SELECT count(*) n FROM read_parquet('{f['path']}') WHERE i64 > 1000000000000");
              console.log(String(r.getRowObjects()[0].n));
            }});'''], cwd=HERE, check=True, capture_output=True, text=True).stdout
        self.assertEqual(int(out.strip()), expected)


if __name__ == '__main__':
    unittest.main()
