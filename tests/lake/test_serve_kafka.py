"""`sluice serve --bootstrap --topic --stage`: ticks still in Kafka are merged into the answers.

A real built-in broker (`sluice broker`), the real table sink (`sluice run` with a `table-sink`
stage `sink`, a table like examples/market-ticks: partitioned by day and exchange, `day`
derived from the tick's time) and `sluice serve` over real HTTP on 127.0.0.1. Checked:
ticks produced with no sink running are answered from Kafka within seconds; once the sink
commits them, each is answered exactly once -- also by answers taken while its commits land
(the txn boundary of docs/query-api.md); at its cap the tail stops, says so, and resumes as
the sink commits; serve started before its topic exists keeps running and answers once ticks
arrive, and a partition added later is followed; a record that is not a tick is skipped and
counted.
"""
import datetime
import json
import os
import subprocess
import sys
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_table_sink as sink_tests  # noqa: E402  SinkTestCase (the module: its tests are not collected here)
from broker import case_failed, sluice_bin, unique_name, wait_until  # noqa: E402  (tests/clients, on sys.path now)

KEY = 'kafka-tail-key-31'
DAY = datetime.date(2026, 12, 4)
DAY_US = (DAY - datetime.date(1970, 1, 1)).days * 86_400_000_000
SYMBOLS = ['BHP', 'CBA', 'NAB']
COLUMNS = """\
      columns:
        exchange: string not null
        symbol: string not null
        exchange_sequence_number: long not null
        exchange_timestamp: timestamp not null
        price: double not null
        volume: long not null
        message_id: string not null
        day: date
      derive: {day: date(exchange_timestamp)}
      partition_by: [day, exchange]
      sort_by: [exchange_timestamp, exchange_sequence_number]
"""


def iso(us):
    t = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(microseconds=us)
    return t.strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def ticks(first, n):
    """Ticks `first`..`first+n-1`: one a second from 10:00 UTC, symbols and exchanges in turn."""
    out = []
    for i in range(first, first + n):
        symbol, exchange = SYMBOLS[i % len(SYMBOLS)], ('ASX', 'CHIA')[i % 2]
        out.append({'exchange': exchange, 'symbol': symbol, 'exchange_sequence_number': i,
                    'exchange_timestamp': iso(DAY_US + (36000 + i) * 10**6), 'price': 20 + (i % 17) * 0.5,
                    'volume': 100 + i, 'message_id': 'm%d' % i})
    return out


class ServeKafkaTest(sink_tests.SinkTestCase):
    TABLE = 'tables/ticks'
    TMP_PREFIX = 'sluice-serve-kafka-'

    def setUp(self):
        super().setUp()
        self.topic = unique_name('ticks')
        self.serve = None

    def tearDown(self):
        if self.serve:
            if self.serve.poll() is None:
                self.serve.terminate()
                self.serve.wait(timeout=30)
            self.serve.stdout.close()
            if case_failed(self):
                sys.stderr.write('\n--- sluice serve stderr (tail) ---\n%s\n' % self.serve_text()[-6000:])
        super().tearDown()

    # --- helpers ------------------------------------------------------------------------------

    def tick_pipeline(self, topic):
        """One table-sink stage `sink` from `topic`: at most ten records buffered and ten rows a
        file, so a backlog is committed in many small commits."""
        path = os.path.join(self.tmp, unique_name('p') + '.yaml')
        with open(path, 'w') as f:
            f.write("""pipeline: serve-kafka
bootstrap: %s
stages:
  - name: sink
    input: %s
    processor: table-sink
    queue: {max_buffered_records: 10}
    options:
      store: %s
      table: %s
      file_max_rows: 10
      flush_interval_ms: 200
%s""" % (self.broker.bootstrap, topic, self.lake, self.TABLE, COLUMNS))
        return path

    def produce_ticks(self, topic, rows):
        self.produce(topic, [json.dumps(t) for t in rows])

    def start_serve(self, topic, *extra):
        key_file = os.path.join(self.tmp, 'key')
        with open(key_file, 'w') as f:
            f.write(KEY + '\n')
        self.serve_log = os.path.join(self.tmp, 'serve.log')
        with open(self.serve_log, 'w') as err:
            self.serve = subprocess.Popen(
                [sluice_bin(), 'serve', self.lake, self.TABLE, '--listen', '127.0.0.1:0', '--api-key-file', key_file,
                 '--date-column', 'day', '--bootstrap', self.broker.bootstrap, '--topic', topic, '--stage', 'sink',
                 *extra], stdout=subprocess.PIPE, stderr=err, text=True)
        line = self.serve.stdout.readline()
        self.assertIn('listening on http://', line, self.serve_text())
        self.base = line.split('listening on ')[1].split()[0]
        self.assertIn('merging ticks of topic %s' % topic, self.serve.stdout.readline())

    def serve_text(self):
        with open(self.serve_log) as f:
            return f.read()

    def get(self, path):
        req = urllib.request.Request(self.base + path, headers={'X-API-Key': KEY})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def metric(self, name):
        with urllib.request.urlopen(self.base + '/metrics', timeout=30) as r:
            for line in r.read().decode().splitlines():
                if line.startswith(name + ' '):
                    return float(line.split()[1])
        return None

    def ticks_of(self, symbol):
        status, body = self.get('/v1/ticks?symbol=%s&limit=10000' % symbol)
        return body if status == 200 else None

    def answered_ids(self, symbol):
        body = self.ticks_of(symbol)
        return [t['message_id'] for t in body['ticks']] if body else []

    def wait_answered(self, want, timeout=60):
        """Every symbol's /v1/ticks answers exactly the ids of `want` (ticks)."""
        for symbol in SYMBOLS:
            ids = sorted(t['message_id'] for t in want if t['symbol'] == symbol)
            wait_until(lambda: sorted(self.answered_ids(symbol)) == ids, timeout, 0.1,
                       '%d ticks of %s answered' % (len(ids), symbol))

    def check_summary(self, symbol, want):
        mine = sorted((t for t in want if t['symbol'] == symbol),
                      key=lambda t: (t['exchange_timestamp'], t['exchange_sequence_number']))
        status, body = self.get('/v1/summary/%s/%s' % (symbol, DAY.isoformat()))
        self.assertEqual(status, 200, body)
        self.assertEqual((body['trades'], body['volume']), (len(mine), sum(t['volume'] for t in mine)))
        self.assertEqual((body['open'], body['close']), (mine[0]['price'], mine[-1]['price']))
        return body

    def create_table(self, topic, rows):
        """The sink writes `rows` from `topic` into the table, then stops: later ticks stay in Kafka."""
        self.produce_ticks(topic, rows)
        sink = self.start(self.tick_pipeline(topic))
        self.wait_for_records(len(rows))
        self.assertEqual(sink.terminate(), 0)

    # --- tests --------------------------------------------------------------------------------

    def test_ticks_in_kafka_are_answered_then_once_across_the_sinks_commits(self):
        committed, fresh = ticks(0, 30), ticks(30, 60)
        self.create_table(self.topic, committed)
        self.start_serve(self.topic)
        self.produce_ticks(self.topic, fresh)
        # (1) No sink runs: the 60 fresh ticks come from Kafka, the 30 others from the table.
        everything = committed + fresh
        self.wait_answered(everything)
        body = self.ticks_of('BHP')
        self.assertEqual(body['kafka']['records'], sum(1 for t in fresh if t['symbol'] == 'BHP'))
        self.assertEqual(body['kafka']['partitions'], self.PARTITIONS)
        self.assertEqual([t['message_id'] for t in body['ticks']],
                         [t['message_id'] for t in everything if t['symbol'] == 'BHP'])  # time order
        self.assertEqual(body['ticks'][-1]['day'], DAY.isoformat())  # filled like the sink's derive
        summary = self.check_summary('CBA', everything)
        self.assertEqual(summary['kafka']['records'], sum(1 for t in fresh if t['symbol'] == 'CBA'))
        self.assertGreater(self.metric('sluice_serve_tail_records'), 0)
        # (2) The sink commits them, ten rows a file: every answer, also those taken between
        # two commits, holds each tick exactly once.
        version = self.describe()['version']
        self.start(self.tick_pipeline(self.topic))
        versions = set()
        while (self.describe() or {}).get('records') != len(everything):
            for symbol in SYMBOLS:
                body = self.ticks_of(symbol)
                versions.add(body['version'])
                self.assertEqual(sorted(t['message_id'] for t in body['ticks']),
                                 sorted(t['message_id'] for t in everything if t['symbol'] == symbol))
        self.assertGreater(self.describe()['version'], version + 2)  # several commits landed meanwhile
        self.assertGreater(len(versions), 1)  # ... and answers were taken between them
        self.wait_answered(everything)
        wait_until(lambda: self.ticks_of('NAB')['kafka']['records'] == 0, 30, 0.1, 'the tail trimmed')
        self.check_summary('NAB', everything)
        wait_until(lambda: self.metric('sluice_serve_tail_records') == 0, 30, 0.1, 'no records held')
        status, body = self.get('/v1/symbols')
        self.assertEqual((status, body['symbols']), (200, SYMBOLS))

    def test_serve_started_before_its_topic_exists_answers_once_ticks_arrive(self):
        self.create_table(self.topic, ticks(0, 6))
        later = unique_name('later')
        self.start_serve(later)
        wait_until(lambda: 'does not exist yet' in self.serve_text(), 30, 0.1, 'serve to say the topic is missing')
        status, body = self.get('/v1/ticks?symbol=BHP')
        self.assertEqual((status, body['kafka']['records']), (200, 0))
        rows = ticks(100, 12)
        self.produce_ticks(later, rows)  # the broker creates the topic
        self.wait_answered(ticks(0, 6) + rows)
        # No commit of `sink` names the new topic: read from its start, and serve says why.
        self.assertIn("no txn 'sink/%s/<partition>'" % later, self.serve_text())
        self.assertIsNone(self.serve.poll())

    def test_the_tail_stops_at_its_cap_and_resumes_as_the_sink_commits(self):
        committed, fresh = ticks(0, 3), ticks(3, 20)
        self.create_table(self.topic, committed)
        self.start_serve(self.topic, '--tail-max-records', '5')
        self.produce_ticks(self.topic, fresh)
        wait_until(lambda: self.metric('sluice_serve_tail_full_total') == 1, 30, 0.1, 'the cap reached')
        self.assertIn('its cap (--tail-max-records 5', self.serve_text())
        bodies = [self.ticks_of(symbol) for symbol in SYMBOLS]
        self.assertEqual(sum(b['kafka']['records'] for b in bodies), 5)
        self.assertTrue(all(b['kafka']['full'] for b in bodies))
        # What is held is the start of each partition's backlog: no tick twice, none made up.
        ids = [t['message_id'] for b in bodies for t in b['ticks']]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertLessEqual(set(ids), {t['message_id'] for t in committed + fresh})
        self.assertLessEqual({t['message_id'] for t in committed}, set(ids))
        # The sink commits the backlog: the tail resumes where it stopped, and every tick is answered once.
        self.start(self.tick_pipeline(self.topic))
        self.wait_answered(committed + fresh)
        wait_until(lambda: not self.ticks_of('BHP')['kafka']['full'], 30, 0.1, 'the tail reading again')

    def test_a_partition_added_later_is_followed(self):
        self.create_table(self.topic, ticks(0, 6))
        self.start_serve(self.topic)
        wait_until(lambda: self.metric('sluice_serve_tail_partitions') == self.PARTITIONS, 30, 0.1,
                   'the partitions followed')
        grow = subprocess.run([sluice_bin(), 'topics', 'alter', self.topic, '--partitions', '5', '--bootstrap',
                               self.broker.bootstrap], capture_output=True, text=True, timeout=60)
        self.assertEqual(grow.returncode, 0, grow.stderr)
        rows = ticks(6, 4)
        p = sink_tests.ck_helpers.producer(self.broker.bootstrap)
        for d in sink_tests.ck_helpers.produce_all(p, self.topic, [{'value': json.dumps(t).encode(), 'partition': 4}
                                                                   for t in rows]):
            self.assertIsNone(d.error)
        self.wait_answered(ticks(0, 6) + rows)
        self.assertEqual(self.metric('sluice_serve_tail_partitions'), 5)

    def test_a_record_that_is_not_a_tick_is_skipped_and_counted(self):
        self.create_table(self.topic, ticks(0, 3))
        self.start_serve(self.topic)
        bad_type = dict(ticks(3, 1)[0], volume='lots')
        self.produce(self.topic, ['{"symbol": "BHP", not json', json.dumps(bad_type)])
        rows = ticks(4, 9)
        self.produce_ticks(self.topic, rows)
        self.wait_answered(ticks(0, 3) + rows)
        wait_until(lambda: self.metric('sluice_serve_tail_skipped_total') == 2, 30, 0.1, 'two records skipped')
        self.assertIn('skipped offset', self.serve_text())  # said once, not once per record
        self.assertIsNone(self.serve.poll())


if __name__ == '__main__':
    unittest.main()
