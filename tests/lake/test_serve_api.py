"""`sluice serve`: the query API over a ticks Delta table, over real HTTP on 127.0.0.1.

tick_table_tool (tests/lake/tools) writes a small market-ticks table with sluice's Delta
writer -- two UTC days, two exchanges, four symbols, two commits, files of several row
groups, partitioned by [date, exchange]. The test starts `sluice serve` on it and checks
every answer against values computed here in plain Python from the ticks it wrote
(ticks in order, OHLCV and VWAP, the symbols), and the daily summary against DuckDB
reading the same Parquet files. It also checks that a one-symbol one-day query prunes
the other partitions and skips row groups, the API key, Cache-Control and the errors.
"""
import datetime
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import threading
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get('SLUICE_BUILD_DIR', os.path.join(HERE, '..', '..', 'build'))
TOOL = os.path.join(BUILD, 'tests', 'tick_table_tool')
SLUICE = os.environ.get('SLUICE_BIN', os.path.join(BUILD, 'sluice'))
KEY = 'test-key-5f2c'
TABLE = 'market/ticks'
SYMBOLS = ['BHP', 'CBA', 'NAB', 'WBC']
EXCHANGES = ['ASX', 'CHIA']
DAYS = [datetime.date(2026, 12, 3), datetime.date(2026, 12, 4)]
EPOCH = datetime.date(1970, 1, 1)
DAY_US = 86_400_000_000


def day_start_us(day):
    return (day - EPOCH).days * DAY_US


def iso(us):
    t = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(microseconds=us)
    return t.strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def make_ticks():
    """Ticks with distinct times, 10:00-16:00 UTC each day; seq per (exchange, symbol)."""
    rng = random.Random(19)
    ticks, seq = [], {}
    for day in DAYS:
        times = rng.sample(range(10 * 3600 * 10**6, 16 * 3600 * 10**6, 997), 600)
        for t in sorted(times):
            ex, sym = rng.choice(EXCHANGES), rng.choice(SYMBOLS)
            seq[(ex, sym)] = seq.get((ex, sym), 0) + 1
            price = round(rng.uniform(20, 60), 3)
            ticks.append({'exchange': ex, 'symbol': sym, 'seq': seq[(ex, sym)], 'ts': day_start_us(day) + t,
                          'price': price, 'volume': rng.randint(1, 5000)})
    return ticks


def duckdb(sql):
    out = subprocess.run(['node', os.path.join(HERE, 'duckdb_query.mjs'), sql], capture_output=True, text=True,
                         timeout=120, cwd=HERE)
    if out.returncode != 0:
        raise AssertionError('duckdb failed: ' + out.stderr)
    return json.loads(out.stdout)


class ServeCase(unittest.TestCase):
    """A tick table of make_ticks() in a temporary store, served by `sluice serve` for the class."""
    serve_flags = []

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(TOOL):
            raise unittest.SkipTest(f'{TOOL} not built (cmake --build <build> --target tick_table_tool)')
        cls.dir = tempfile.mkdtemp(prefix='serve-api-')
        cls.lake = os.path.join(cls.dir, 'lake')
        os.makedirs(cls.lake)
        cls.ticks = make_ticks()
        # Two commits, each a file per (date, exchange), files of several row groups.
        for part in (cls.ticks[0::2], cls.ticks[1::2]):
            cls.append(part)
        key_file = os.path.join(cls.dir, 'key')
        with open(key_file, 'w') as f:
            f.write(KEY + '\n')
        cls.server = subprocess.Popen([SLUICE, 'serve', cls.lake, TABLE, '--listen', '127.0.0.1:0',
                                       '--api-key-file', key_file] + cls.serve_flags,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = cls.server.stdout.readline()
        if 'listening on http://' not in line:
            cls.server.kill()
            raise AssertionError('sluice serve did not start: ' + line + cls.server.stderr.read())
        cls.base = line.split('listening on ')[1].split()[0]

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.wait(timeout=30)
        cls.server.stdout.close()
        cls.server.stderr.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def append(cls, ticks, row_group_bytes='700'):
        csv = ''.join('%(exchange)s,%(symbol)s,%(seq)d,%(ts)d,%(price)r,%(volume)d\n' % t for t in ticks)
        out = subprocess.run([TOOL, cls.lake, TABLE, row_group_bytes], input=csv, capture_output=True, text=True,
                             timeout=120)
        assert out.returncode == 0, out.stderr

    def get(self, path, headers=None):
        """(status, headers, JSON body); the key is sent unless `headers` is given."""
        req = urllib.request.Request(self.base + path, headers={'X-API-Key': KEY} if headers is None else headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.headers, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, e.headers, json.loads(e.read())

    def expected(self, symbol, lo=None, hi=None, exchange=None):
        return sorted((t for t in self.ticks if t['symbol'] == symbol and (lo is None or t['ts'] >= lo)
                       and (hi is None or t['ts'] < hi) and (exchange is None or t['exchange'] == exchange)),
                      key=lambda t: (t['ts'], t['seq']))

    def check_ticks(self, body, want):
        got = [(t['exchange'], t['symbol'], t['exchange_sequence_number'], t['exchange_timestamp'], t['price'],
                t['volume'], t['message_id'], t['date']) for t in body['ticks']]
        self.assertEqual(got, [(t['exchange'], t['symbol'], t['seq'], iso(t['ts']), t['price'], t['volume'],
                                '%s.%s.%d' % (t['exchange'], t['symbol'], t['seq']), iso(t['ts'])[:10])
                               for t in want])


class ServeApiTest(ServeCase):
    def test_ticks_of_one_symbol_in_a_range_in_order(self):
        lo = day_start_us(DAYS[1]) + 11 * 3600 * 10**6
        hi = day_start_us(DAYS[1]) + 12 * 3600 * 10**6
        status, headers, body = self.get('/v1/ticks?symbol=BHP&from=%s&to=%d&limit=10000' % (iso(lo), hi))
        self.assertEqual(status, 200, body)
        self.assertEqual(headers['Cache-Control'], 'max-age=5')
        want = self.expected('BHP', lo, hi)
        self.assertGreater(len(want), 5)
        self.check_ticks(body, want)
        self.assertEqual((body['count'], body['truncated']), (len(want), False))
        # One day of four partitions (2 days x 2 exchanges) x 2 commits: the other day's
        # files are never fetched, and in the files read, row groups outside the hour are skipped.
        scan = body['scan']
        self.assertEqual(scan['files_live'], 8)
        self.assertEqual(scan['files_pruned_by_partition'], 4)
        self.assertEqual(scan['files_read'], 4)
        self.assertGreater(scan['row_groups_skipped'], 0)

    def test_exchange_filter_prunes_the_other_exchange(self):
        status, _, body = self.get('/v1/ticks?symbol=CBA&exchange=CHIA&from=2026-12-03&to=2026-12-04')
        self.assertEqual(status, 200, body)
        self.check_ticks(body, self.expected('CBA', day_start_us(DAYS[0]), day_start_us(DAYS[1]), 'CHIA'))
        self.assertEqual(body['scan']['files_read'], 2)
        self.assertEqual(body['scan']['files_pruned_by_partition'], 6)

    def test_limit_returns_the_first_ticks_and_says_truncated(self):
        status, _, body = self.get('/v1/ticks?symbol=NAB&limit=7')
        self.assertEqual(status, 200, body)
        self.check_ticks(body, self.expected('NAB')[:7])
        self.assertTrue(body['truncated'])

    def test_limit_keeps_the_first_ticks_whichever_way_files_are_read(self):
        # Without an exchange, rows are built for the kept ticks only; with one (a partition
        # column, not in the files), every match is built first. Both keep the same ticks.
        for exchange in (None, 'ASX'):
            query = '&exchange=' + exchange if exchange else ''
            want = self.expected('BHP', exchange=exchange)
            for limit in (1, 5, len(want) - 1):
                status, _, body = self.get('/v1/ticks?symbol=BHP&limit=%d%s' % (limit, query))
                self.assertEqual(status, 200, body)
                self.check_ticks(body, want[:limit])
                self.assertEqual((body['count'], body['truncated']), (limit, True))

    def test_summary_is_ohlcv_and_vwap_of_the_day(self):
        # Without an exchange serve sums typed columns; with one (a partition column,
        # not in the files) it reads rows: both must give the same arithmetic.
        for symbol in SYMBOLS:
            for exchange in (None, 'CHIA'):
                day = DAYS[0]
                query = '?exchange=' + exchange if exchange else ''
                status, headers, body = self.get('/v1/summary/%s/%s%s' % (symbol, day.isoformat(), query))
                self.assertEqual(status, 200, body)
                self.assertEqual(headers['Cache-Control'], 'max-age=60')
                want = self.expected(symbol, day_start_us(day), day_start_us(day) + DAY_US, exchange)
                volume = sum(t['volume'] for t in want)
                self.assertEqual((body['open'], body['close']), (want[0]['price'], want[-1]['price']))
                self.assertEqual((body['high'], body['low']),
                                 (max(t['price'] for t in want), min(t['price'] for t in want)))
                self.assertEqual((body['volume'], body['trades']), (volume, len(want)))
                self.assertAlmostEqual(body['vwap'], sum(t['price'] * t['volume'] for t in want) / volume, places=9)
                self.assertEqual((body['first_tick'], body['last_tick']), (iso(want[0]['ts']), iso(want[-1]['ts'])))
                self.assertEqual(body['scan']['files_pruned_by_partition'], 6 if exchange else 4)

    def test_files_read_again_come_from_the_cache(self):
        path = '/v1/ticks?symbol=CBA&from=2026-12-04&to=2026-12-05'
        first, second = self.get(path)[2], self.get(path)[2]
        self.check_ticks(second, self.expected('CBA', day_start_us(DAYS[1]), day_start_us(DAYS[1]) + DAY_US))
        self.assertEqual(second['ticks'], first['ticks'])
        self.assertGreater(second['scan']['files_read'], 0)
        self.assertEqual(second['scan']['files_cached'], second['scan']['files_read'])
        self.assertEqual(second['scan']['bytes_fetched'], 0)

    def test_summary_matches_duckdb_over_the_same_files(self):
        if not os.path.isdir(os.path.join(HERE, 'node_modules')):
            self.skipTest('DuckDB for node not installed (npm ci in tests/lake)')
        files = os.path.join(self.lake, TABLE, '**', '*.parquet')
        rows = duckdb(
            "SELECT arg_min(price, exchange_timestamp) AS o, max(price) AS h, "
            "min(price) AS l, arg_max(price, exchange_timestamp) AS c, "
            "sum(volume) AS v, sum(price * volume) / sum(volume) AS vwap FROM read_parquet('%s', "
            "hive_partitioning = true) WHERE symbol = 'WBC' AND exchange = 'ASX' AND date = DATE '2026-12-04'"
            % files)
        status, _, body = self.get('/v1/summary/WBC/2026-12-04?exchange=ASX')
        self.assertEqual(status, 200, body)
        r = rows[0]
        self.assertEqual((body['open'], body['high'], body['low'], body['close'], body['volume']),
                         (r['o'], r['h'], r['l'], r['c'], int(r['v'])))
        self.assertAlmostEqual(body['vwap'], r['vwap'], places=9)

    def test_symbols_with_a_bearer_token(self):
        status, headers, body = self.get('/v1/symbols', {'Authorization': 'Bearer ' + KEY})
        self.assertEqual(status, 200, body)
        self.assertEqual(headers['Cache-Control'], 'max-age=300')
        self.assertEqual(body['symbols'], SYMBOLS)

    def test_requests_without_the_key_are_refused(self):
        for headers in ({}, {'X-API-Key': 'wrong'}, {'Authorization': 'Bearer wrong'}, {'Authorization': KEY}):
            status, h, body = self.get('/v1/symbols', headers)
            self.assertEqual(status, 401, headers)
            self.assertIn('key', body['error']['message'])
            self.assertEqual(h['Cache-Control'], 'no-store')

    def test_bad_parameters_name_the_parameter(self):
        cases = [('/v1/ticks?symbol=BHP&limit=0', 400, 'limit'), ('/v1/ticks?symbol=BHP&limit=10001', 400, 'limit'),
                 ('/v1/ticks?symbol=BHP&limit=x', 400, 'limit'), ('/v1/ticks?limit=5', 400, 'symbol'),
                 ('/v1/ticks?symbol=BHP&from=yesterday', 400, 'from'),
                 ('/v1/ticks?symbol=BHP&from=2026-12-04&to=2026-12-03', 400, 'to'),
                 ('/v1/ticks?symbol=BHP&sym=1', 400, 'sym'), ('/v1/summary/BHP/2026-13-01', 400, 'date'),
                 ('/v1/ticks?symbol=NOPE', 404, 'symbol'), ('/v1/summary/NOPE/2026-12-03', 404, 'symbol'),
                 ('/v1/summary/BHP/2026-12-05', 404, 'date')]
        for path, status, param in cases:
            got, _, body = self.get(path)
            self.assertEqual((got, body['error'].get('param')), (status, param), path)
            self.assertTrue(body['error']['message'], path)
        self.assertEqual(self.get('/v1/nothing')[0], 404)

    def test_limit_of_ten_thousand_is_accepted(self):
        status, _, body = self.get('/v1/ticks?symbol=BHP&limit=10000')
        self.assertEqual(status, 200, body)
        self.assertEqual(body['count'], len(self.expected('BHP')))


class ServeWithoutFileCacheTest(ServeCase):
    serve_flags = ['--file-cache-mib', '0']

    def test_every_request_fetches_its_files(self):
        path = '/v1/summary/NAB/2026-12-03'
        first, second = self.get(path)[2], self.get(path)[2]
        self.assertEqual(second, first)
        want = self.expected('NAB', day_start_us(DAYS[0]), day_start_us(DAYS[0]) + DAY_US)
        self.assertEqual(second['trades'], len(want))
        self.assertEqual(second['scan']['files_cached'], 0)
        self.assertGreater(second['scan']['bytes_fetched'], 0)


class ServeSnapshotTest(ServeCase):
    """Its own table: a commit made while serving is in the next answer."""

    def test_a_new_commit_is_answered_at_once(self):
        t = day_start_us(DAYS[1]) + 15 * 3600 * 10**6 + 1
        self.append([{'exchange': 'ASX', 'symbol': 'ZZZ', 'seq': 1, 'ts': t, 'price': 1.5, 'volume': 10}])
        status, _, body = self.get('/v1/ticks?symbol=ZZZ')
        self.assertEqual(status, 200, body)
        self.assertEqual([x['exchange_timestamp'] for x in body['ticks']], [iso(t)])
        # Every earlier file's symbols end at WBC < ZZZ: their Delta stats keep them unread.
        self.assertEqual((body['scan']['files_pruned_by_stats'], body['scan']['files_read']), (8, 1))
        self.assertIn('ZZZ', self.get('/v1/symbols')[2]['symbols'])


class ServeConcurrencyTest(ServeCase):
    """Its own table: many requests at once, while commits arrive, each answer right and of one snapshot."""

    def answer_is_right(self, path, status, body):
        """None if the answer of `path` equals the plain-Python one, else what differs."""
        if status != 200:
            return '%s: %d %s' % (path, status, body)
        if path.startswith('/v1/summary/'):
            symbol, day = path.split('/')[3:5]
            start = day_start_us(datetime.date.fromisoformat(day))
            want = self.expected(symbol, start, start + DAY_US)
            got = (body['trades'], body['open'], body['close'], body['volume'])
            exp = (len(want), want[0]['price'], want[-1]['price'], sum(t['volume'] for t in want))
        else:
            symbol = path.split('symbol=')[1].split('&')[0]
            got = [(t['exchange_timestamp'], t['exchange_sequence_number']) for t in body['ticks']]
            exp = [(iso(t['ts']), t['seq']) for t in self.expected(symbol)]
        return None if got == exp else '%s: got %r, want %r' % (path, got, exp)

    def run_threads(self, count, work):
        """Runs work(i) on `count` threads at once; returns their non-None results."""
        problems, barrier = [], threading.Barrier(count)

        def run(i):
            barrier.wait()
            try:
                problems.extend(p for p in work(i) if p)
            except Exception as e:  # noqa: BLE001 - reported as the test's failure
                problems.append('thread %d: %r' % (i, e))
        threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        return problems

    def test_concurrent_requests_are_answered_right(self):
        paths = ['/v1/ticks?symbol=%s&limit=10000' % s for s in SYMBOLS] + \
                ['/v1/summary/%s/%s' % (s, d.isoformat()) for s in SYMBOLS for d in DAYS]

        def work(i):
            order = paths[i % len(paths):] + paths[:i % len(paths)]
            return [self.answer_is_right(p, *(lambda r: (r[0], r[2]))(self.get(p))) for p in order * 2]
        self.assertEqual(self.run_threads(8, work), [])

    def test_each_answer_reads_one_snapshot_while_commits_arrive(self):
        # A new symbol gains one commit of `batch` ticks at a time; an answer of version v
        # must hold exactly the ticks of the commits up to v: never part of a later one.
        base = self.get('/v1/symbols')[2]['version']
        batch, commits = 25, 8
        stop = threading.Event()

        def reader(_):
            seen = []
            while not stop.is_set():
                status, _, body = self.get('/v1/ticks?symbol=QQQ&limit=10000')
                if status == 404:  # no commit of QQQ yet in that snapshot
                    continue
                if status != 200 or body['count'] != batch * (body['version'] - base):
                    seen.append('version %s: %d ticks (%s)' % (body.get('version'), body.get('count', -1), status))
            return seen

        def writer():
            t0 = day_start_us(DAYS[1]) + 14 * 3600 * 10**6
            for c in range(commits):
                self.append([{'exchange': 'ASX', 'symbol': 'QQQ', 'seq': c * batch + k + 1,
                              'ts': t0 + (c * batch + k) * 1000, 'price': 2.0, 'volume': 1} for k in range(batch)])
            stop.set()
        w = threading.Thread(target=writer)
        w.start()
        problems = self.run_threads(4, reader)
        w.join(timeout=300)
        self.assertEqual(problems, [])
        self.assertEqual(self.get('/v1/ticks?symbol=QQQ&limit=10000')[2]['count'], batch * commits)


def metric(page, name, labels=''):
    """The value of one series of a Prometheus text page; 0 when absent."""
    m = re.search(r'^%s%s (\S+)$' % (re.escape(name), re.escape(labels)), page, re.M)
    return float(m.group(1)) if m else 0.0


class ServeMetricsTest(ServeCase):
    def metrics(self):
        with urllib.request.urlopen(self.base + '/metrics', timeout=60) as r:  # no key needed
            self.assertTrue(r.headers['Content-Type'].startswith('text/plain'))
            return r.read().decode()

    def test_requests_latency_and_bytes_read_move(self):
        before = self.metrics()
        fetched = 0
        for s in SYMBOLS:
            status, _, body = self.get('/v1/ticks?symbol=%s&from=2026-12-03&to=2026-12-04' % s)
            self.assertEqual(status, 200, body)
            fetched += body['scan']['bytes_fetched']
        self.assertEqual(self.get('/v1/summary/BHP/2026-12-04')[0], 200)
        self.assertEqual(self.get('/v1/symbols', {})[0], 401)
        self.assertEqual(self.get('/v1/ticks?symbol=NOPE')[0], 404)
        after = self.metrics()

        def moved(name, labels=''):
            return metric(after, name, labels) - metric(before, name, labels)
        self.assertEqual(moved('sluice_serve_requests_total', '{route="ticks",status="200"}'), len(SYMBOLS))
        self.assertEqual(moved('sluice_serve_requests_total', '{route="ticks",status="404"}'), 1)
        self.assertEqual(moved('sluice_serve_requests_total', '{route="summary",status="200"}'), 1)
        self.assertEqual(moved('sluice_serve_requests_total', '{route="symbols",status="401"}'), 1)
        self.assertEqual(moved('sluice_serve_request_seconds_count', '{route="ticks"}'), len(SYMBOLS) + 1)
        self.assertGreater(moved('sluice_serve_request_seconds_sum', '{route="ticks"}'), 0)
        self.assertGreater(fetched, 0)
        # Every byte of the ticks answers, plus the summary's and the unknown symbol's scans.
        self.assertGreaterEqual(moved('sluice_serve_bytes_read_total'), fetched)
        self.assertIn('sluice_serve_requests_total{route="metrics",status="200"}', after)


class ServeStartupTest(unittest.TestCase):
    def test_refuses_to_start_without_a_key(self):
        env = {k: v for k, v in os.environ.items() if k != 'SLUICE_API_KEY'}
        out = subprocess.run([SLUICE, 'serve', tempfile.gettempdir(), 'no-such-table', '--listen', '127.0.0.1:0'],
                             capture_output=True, text=True, timeout=60, env=env)
        self.assertEqual(out.returncode, 2)
        self.assertIn('no API key', out.stderr)


if __name__ == '__main__':
    unittest.main()
