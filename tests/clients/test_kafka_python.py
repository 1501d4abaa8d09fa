"""kafka-python (pure-Python client) against `sluice broker`.

Consumers use assign() with group_id=None: the broker serves no consumer-group APIs."""

import collections
import logging
import time
import unittest

import broker  # noqa: F401  (makes the Debian client packages importable)
from broker import BrokerTestCase, unique_name, wait_until

import kafka.codec
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewPartitions, NewTopic

logging.getLogger("kafka").setLevel(logging.CRITICAL)

N_MESSAGES = 5000
PARTITIONS = 3
CLIENT_TIMEOUT_MS = 30000


class KafkaPythonTestCase(BrokerTestCase):
    broker_flags = {"default_partitions": PARTITIONS}

    def setUp(self):
        super().setUp()
        self._clients = []

    def tearDown(self):
        for c in reversed(self._clients):
            try:
                c.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass
        super().tearDown()

    def producer(self, **conf):
        cfg = dict(bootstrap_servers=self.broker.bootstrap, acks="all", linger_ms=5,
                   request_timeout_ms=CLIENT_TIMEOUT_MS, max_block_ms=CLIENT_TIMEOUT_MS,
                   retries=0)  # no retries: nothing can be reordered or duplicated
        cfg.update(conf)
        p = KafkaProducer(**cfg)
        self._clients.append(p)
        return p

    def consumer(self, **conf):
        cfg = dict(bootstrap_servers=self.broker.bootstrap, group_id=None, enable_auto_commit=False,
                   auto_offset_reset="earliest", request_timeout_ms=CLIENT_TIMEOUT_MS + 5000,
                   max_poll_records=2000)
        cfg.update(conf)
        c = KafkaConsumer(**cfg)
        self._clients.append(c)
        return c

    def admin(self):
        a = KafkaAdminClient(bootstrap_servers=self.broker.bootstrap,
                             request_timeout_ms=CLIENT_TIMEOUT_MS)
        self._clients.append(a)
        return a

    def read_partitions(self, consumer, tps, timeout=90.0):
        """assign + seek_to_beginning, then poll (bounded) until every partition's
        position reaches its end offset. Returns {tp: [ConsumerRecord]}."""
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        end = consumer.end_offsets(tps)
        out = {tp: [] for tp in tps}
        deadline = time.monotonic() + timeout
        while any(consumer.position(tp) < end[tp] for tp in tps):
            if time.monotonic() > deadline:
                self.fail("consumer did not reach end offsets %r within %.0fs; positions %r%s"
                          % (end, timeout, {tp: consumer.position(tp) for tp in tps},
                             self.broker_log()))
            for tp, records in consumer.poll(timeout_ms=500).items():
                out[tp].extend(records)
        return out


class ProduceConsumeTest(KafkaPythonTestCase):

    def _round_trip(self, compression_type):
        topic = unique_name("kp-rt-%s" % compression_type)
        p = self.producer(compression_type=compression_type)
        futures = []
        for i in range(N_MESSAGES):
            key = ("key-%d" % (i % 97)).encode()
            value = ("value-%06d-%s" % (i, "abcdefgh" * (i % 13))).encode()
            futures.append((key, value, p.send(topic, key=key, value=value)))
        p.flush(timeout=120)
        sent = collections.defaultdict(list)  # partition -> [(offset, key, value)] in send order
        for key, value, fut in futures:
            md = fut.get(timeout=30)
            sent[md.partition].append((md.offset, key, value))
        self.assertEqual(sorted(sent), list(range(PARTITIONS)),
                         "keys should spread over all partitions")

        c = self.consumer()
        tps = [TopicPartition(topic, part) for part in range(PARTITIONS)]
        got = self.read_partitions(c, tps)
        total = 0
        for tp in tps:
            records = got[tp]
            total += len(records)
            expect = sent[tp.partition]
            # Acknowledged offsets are dense 0..n-1 in send order (no retries, fresh topic).
            self.assertEqual([o for o, _, _ in expect], list(range(len(expect))),
                             "acked offsets of partition %d" % tp.partition)
            self.assertEqual([r.offset for r in records], list(range(len(expect))),
                             "consumed offsets of partition %d" % tp.partition)
            self.assertEqual([(r.key, r.value) for r in records], [(k, v) for _, k, v in expect],
                             "content/order of partition %d" % tp.partition)
        self.assertEqual(total, N_MESSAGES)

    def test_round_trip_uncompressed(self):
        self._round_trip(None)

    def test_round_trip_gzip(self):
        self._round_trip("gzip")

    @unittest.skipUnless(kafka.codec.has_snappy(), "python-snappy is not installed")
    def test_round_trip_snappy(self):
        self._round_trip("snappy")

    @unittest.skipUnless(kafka.codec.has_lz4(), "python lz4 is not installed")
    def test_round_trip_lz4(self):
        self._round_trip("lz4")

    @unittest.skipUnless(kafka.codec.has_zstd(), "python zstandard is not installed")
    def test_round_trip_zstd(self):
        self._round_trip("zstd")

    def test_beginning_and_end_offsets(self):
        topic = unique_name("kp-marks")
        p = self.producer()
        counts = {0: 10, 1: 0, 2: 37}
        for part, n in counts.items():
            for i in range(n):
                p.send(topic, value=b"v%d" % i, partition=part)
        p.flush(timeout=60)
        c = self.consumer()
        tps = [TopicPartition(topic, part) for part in range(PARTITIONS)]
        self.assertEqual(c.beginning_offsets(tps), {tp: 0 for tp in tps})
        self.assertEqual(c.end_offsets(tps), {tp: counts[tp.partition] for tp in tps})

    def test_headers_and_null_key_round_trip(self):
        topic = unique_name("kp-headers")
        p = self.producer()
        p.send(topic, value=b"with-headers", partition=1,
               headers=[("a", b"1"), ("b", b""), ("a", b"2")]).get(timeout=30)
        p.send(topic, value=b"no-key", partition=1).get(timeout=30)
        p.send(topic, value=None, key=b"tombstone", partition=1).get(timeout=30)
        c = self.consumer()
        tp = TopicPartition(topic, 1)
        got = self.read_partitions(c, [tp])[tp]
        self.assertEqual(len(got), 3)
        self.assertEqual(got[0].value, b"with-headers")
        self.assertEqual(list(got[0].headers), [("a", b"1"), ("b", b""), ("a", b"2")])
        self.assertIsNone(got[1].key)
        self.assertEqual(got[1].value, b"no-key")
        self.assertEqual(got[2].key, b"tombstone")
        self.assertIsNone(got[2].value)



class LegacyMessageFormatTest(KafkaPythonTestCase):
    """Producers pinned to old protocol versions send magic 0 (Produce v1) and
    magic 1 (Produce v2) message sets, optionally compressed into wrapper
    messages; the broker must store them so a current consumer reads them back."""

    def _legacy_round_trip(self, api_version, compression_type):
        topic = unique_name("kp-legacy")
        p = self.producer(api_version=api_version, compression_type=compression_type)
        ts0 = int(time.time() * 1000) - 10000
        sent = []
        for i in range(300):
            key = b"k%d" % (i % 5)
            value = b"legacy-%d-" % i + b"z" * (i % 50)
            ts = ts0 + i if api_version >= (0, 10) else None
            md = p.send(topic, key=key, value=value, partition=i % 2, timestamp_ms=ts)
            sent.append((i % 2, key, value, ts, md))
        p.flush(timeout=60)
        offsets = {}
        for part, key, value, ts, fut in sent:
            md = fut.get(timeout=30)
            self.assertEqual(md.partition, part)
            offsets[(part, md.offset)] = (key, value, ts)
        c = self.consumer()
        tps = [TopicPartition(topic, 0), TopicPartition(topic, 1)]
        got = self.read_partitions(c, tps)
        for tp in tps:
            self.assertEqual([r.offset for r in got[tp]], list(range(150)),
                             "offsets of partition %d" % tp.partition)
            for r in got[tp]:
                key, value, ts = offsets[(tp.partition, r.offset)]
                self.assertEqual((r.key, r.value), (key, value))
                if ts is not None:
                    self.assertEqual(r.timestamp, ts, "magic-1 timestamp lost")

    def test_magic_0_uncompressed(self):
        self._legacy_round_trip((0, 9), None)

    def test_magic_0_gzip(self):
        self._legacy_round_trip((0, 9), "gzip")

    def test_magic_1_uncompressed(self):
        self._legacy_round_trip((0, 10, 0), None)

    def test_magic_1_gzip(self):
        self._legacy_round_trip((0, 10, 0), "gzip")


class OffsetsForTimesTest(KafkaPythonTestCase):

    def _check(self, flush_each):
        topic = unique_name("kp-times")
        p = self.producer()
        base = int(time.time() * 1000) - 600000
        stamps = [base + i * 1000 for i in range(10)]
        for i, ts in enumerate(stamps):
            p.send(topic, value=b"m%d" % i, partition=0, timestamp_ms=ts)
            if flush_each:
                p.flush(timeout=30)
        p.flush(timeout=30)
        c = self.consumer()
        tp = TopicPartition(topic, 0)

        def lookup(ts):
            return c.offsets_for_times({tp: ts})[tp]

        # Between two messages: the first one at/after the timestamp.
        r = lookup(base + 2500)
        self.assertIsNotNone(r)
        self.assertEqual((r.offset, r.timestamp), (3, base + 3000))
        # Exactly on a message.
        r = lookup(base + 5000)
        self.assertEqual((r.offset, r.timestamp), (5, base + 5000))
        # Before everything: the first message.
        r = lookup(base - 1)
        self.assertEqual((r.offset, r.timestamp), (0, base))
        # The last one.
        r = lookup(stamps[-1])
        self.assertEqual((r.offset, r.timestamp), (9, stamps[-1]))
        # After the last message: no offset.
        self.assertIsNone(lookup(stamps[-1] + 1))

        # Timestamps came back on the records too (CreateTime).
        got = self.read_partitions(c, [tp])[tp]
        self.assertEqual([r.timestamp for r in got], stamps)

    def test_offsets_for_times_one_message_per_batch(self):
        self._check(flush_each=True)

    def test_offsets_for_times_inside_one_batch(self):
        self._check(flush_each=False)


class AdminTest(KafkaPythonTestCase):

    def test_create_topic_with_4_partitions(self):
        a = self.admin()
        topic = unique_name("kp-admin-create")
        resp = a.create_topics([NewTopic(topic, num_partitions=4, replication_factor=1)])
        for t in resp.topic_errors:
            self.assertEqual(t[1], 0, "create_topics error %r" % (t,))
        self.assertIn(topic, a.list_topics())
        described = a.describe_topics([topic])
        self.assertEqual(len(described), 1)
        self.assertEqual(described[0]["error_code"], 0, described)
        self.assertEqual(sorted(p["partition"] for p in described[0]["partitions"]), [0, 1, 2, 3])
        for part in described[0]["partitions"]:
            self.assertEqual(part["leader"], 0, described)

        # Produce to the last partition works.
        p = self.producer()
        md = p.send(topic, value=b"x", partition=3).get(timeout=30)
        self.assertEqual((md.partition, md.offset), (3, 0))

    def test_create_existing_topic_fails_with_topic_already_exists(self):
        from kafka.errors import TopicAlreadyExistsError
        a = self.admin()
        topic = unique_name("kp-admin-dup")
        a.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
        with self.assertRaises(TopicAlreadyExistsError):
            a.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])

    def test_describe_configs_of_topic(self):
        a = self.admin()
        topic = unique_name("kp-admin-cfg")
        a.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1,
                                  topic_configs={"retention.ms": "3600000"})])
        responses = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        resources = [r for resp in responses for r in resp.resources]
        self.assertEqual(len(resources), 1, responses)
        error_code, error_message, resource_type, resource_name, entries = resources[0][:5]
        self.assertEqual(error_code, 0, resources)
        self.assertEqual(resource_name, topic)
        configs = {e[0]: e for e in entries}
        for name in ("retention.ms", "retention.bytes", "segment.bytes", "max.message.bytes",
                     "cleanup.policy"):
            self.assertIn(name, configs, sorted(configs))
        self.assertEqual(configs["retention.ms"][1], "3600000")
        # Filtering by name returns just that key.
        responses = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic,
                                                       configs={"segment.bytes": None})])
        entries = [e for resp in responses for r in resp.resources for e in r[4]]
        self.assertEqual([e[0] for e in entries], ["segment.bytes"])

    def test_create_partitions_grows_topic(self):
        a = self.admin()
        topic = unique_name("kp-admin-grow")
        a.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
        resp = a.create_partitions({topic: NewPartitions(total_count=5)})
        for t in resp.topic_errors:
            self.assertEqual(t[1], 0, "create_partitions error %r" % (t,))
        described = a.describe_topics([topic])
        self.assertEqual(len(described[0]["partitions"]), 5, described)
        p = self.producer()
        md = p.send(topic, value=b"x", partition=4).get(timeout=30)
        self.assertEqual((md.partition, md.offset), (4, 0))

    def test_delete_topic_removes_it(self):
        a = self.admin()
        topic = unique_name("kp-admin-del")
        a.create_topics([NewTopic(topic, num_partitions=4, replication_factor=1)])
        self.assertIn(topic, a.list_topics())
        resp = a.delete_topics([topic])
        for t in resp.topic_error_codes:
            self.assertEqual(t[1], 0, "delete_topics error %r" % (t,))
        wait_until(lambda: topic not in a.list_topics(), 15, 0.2, "topic gone from metadata")


if __name__ == "__main__":
    unittest.main()
