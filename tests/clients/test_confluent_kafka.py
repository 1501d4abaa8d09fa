"""confluent_kafka (librdkafka) against `sluice broker`.

Producers never enable idempotence and consumers only use assign() with explicit
offsets (a group.id is set, but no group is joined and nothing is committed):
the broker serves neither InitProducerId nor the consumer-group APIs."""

import time
import unittest

import broker  # noqa: F401  (makes the Debian client packages importable)
from broker import BrokerTestCase, unique_name, wait_until
import ck_helpers
from ck_helpers import consume_partitions, produce_all

from confluent_kafka import KafkaError, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic

N_MESSAGES = 10000
PARTITIONS = 4
ADMIN_TIMEOUT_S = 30


class ConfluentTestCase(BrokerTestCase):
    broker_flags = {"default_partitions": PARTITIONS}

    def admin(self):
        return AdminClient({"bootstrap.servers": self.broker.bootstrap,
                            "broker.address.family": "v4"})

    def wait_futures(self, futures, what):
        results = {}
        for key, fut in futures.items():
            try:
                results[key] = fut.result(timeout=ADMIN_TIMEOUT_S)
            except KafkaException as e:
                self.fail("%s failed for %r: %s%s" % (what, key, e, self.broker_log()))
        return results

    def create_topic(self, topic, partitions, config=None):
        a = self.admin()
        self.wait_futures(a.create_topics([NewTopic(topic, num_partitions=partitions,
                                                    replication_factor=1, config=config or {})],
                                          operation_timeout=10), "create_topics")
        wait_until(lambda: len(self.topic_metadata(topic, a).partitions) == partitions,
                   20, 0.2, "topic %s with %d partitions in metadata" % (topic, partitions))

    def topic_metadata(self, topic, client=None):
        client = client or self.admin()
        md = client.list_topics(timeout=10)
        t = md.topics.get(topic)
        if t is None:

            class Missing:
                partitions = {}
                error = "missing"
            return Missing()
        return t


class ProduceConsumeTest(ConfluentTestCase):

    def _round_trip(self, codec):
        topic = unique_name("ck-rt-" + codec)
        p = ck_helpers.producer(self.broker.bootstrap, **{"compression.codec": codec})
        messages = [{"key": b"key-%d" % (i % 101),
                     "value": b"value-%06d-" % i + b"0123456789" * (i % 17)}
                    for i in range(N_MESSAGES)]
        deliveries = produce_all(p, topic, messages)
        failed = [d for d in deliveries if d.error is not None]
        self.assertFalse(failed, "%d deliveries failed, first: %r%s"
                         % (len(failed), failed[:1], self.broker_log()))
        acked = {(d.partition, d.offset): d.value for d in deliveries}
        self.assertEqual(len(acked), N_MESSAGES, "two messages acknowledged at the same offset")
        self.assertEqual(sorted({d.partition for d in deliveries}), list(range(PARTITIONS)))

        got, marks = consume_partitions(self.broker.bootstrap, topic, range(PARTITIONS))
        total = sum(len(v) for v in got.values())
        self.assertEqual(total, N_MESSAGES, "consumed %d records, produced %d" % (total, N_MESSAGES))
        for part in range(PARTITIONS):
            recs = got[part]
            self.assertEqual([r.offset for r in recs], list(range(len(recs))),
                             "partition %d offsets not dense/in order" % part)
            self.assertEqual(marks[part], (0, len(recs)))
            # Exactly the acknowledged value at every offset, and in production order.
            sent = [d for d in deliveries if d.partition == part]
            self.assertEqual([(r.key, r.value) for r in recs], [(d.key, d.value) for d in sent],
                             "partition %d content differs from what was produced, in order"
                             % part)
            for r in recs:
                self.assertEqual(acked[(part, r.offset)], r.value)

    def test_round_trip_10k_uncompressed(self):
        self._round_trip("none")

    def test_round_trip_10k_gzip(self):
        self._round_trip("gzip")

    def test_round_trip_10k_snappy(self):
        self._round_trip("snappy")

    def test_round_trip_10k_lz4(self):
        self._round_trip("lz4")

    def test_round_trip_10k_zstd(self):
        self._round_trip("zstd")

    def test_headers_timestamps_and_null_values_round_trip(self):
        topic = unique_name("ck-hdr")
        p = ck_helpers.producer(self.broker.bootstrap)
        ts = int(time.time() * 1000) - 5000
        produce_all(p, topic, [
            {"partition": 2, "key": b"k1", "value": b"v1", "timestamp": ts,
             "headers": [("h1", b"a"), ("h2", b""), ("h1", b"b")]},
            {"partition": 2, "key": None, "value": b"no-key", "timestamp": ts + 1},
            {"partition": 2, "key": b"tomb", "value": None, "timestamp": ts + 2},
        ])
        got, _ = consume_partitions(self.broker.bootstrap, topic, [2])
        recs = got[2]
        self.assertEqual(len(recs), 3)
        self.assertEqual(recs[0].headers, [("h1", b"a"), ("h2", b""), ("h1", b"b")])
        self.assertEqual(recs[0].timestamp[1], ts)
        self.assertEqual(recs[1].key, None)
        self.assertEqual(recs[1].timestamp[1], ts + 1)
        self.assertEqual(recs[2].value, None)
        self.assertEqual(recs[2].key, b"tomb")

    def test_consume_from_middle_offset(self):
        topic = unique_name("ck-mid")
        p = ck_helpers.producer(self.broker.bootstrap)
        produce_all(p, topic, [{"partition": 0, "value": b"m%d" % i} for i in range(500)])
        got, _ = consume_partitions(self.broker.bootstrap, topic, [0], start=321)
        self.assertEqual([r.offset for r in got[0]], list(range(321, 500)))
        self.assertEqual([r.value for r in got[0]], [b"m%d" % i for i in range(321, 500)])


class MetadataAndOffsetsTest(ConfluentTestCase):

    def test_list_topics_shows_broker_0_partitions_and_leader_0(self):
        topic = unique_name("ck-md")
        p = ck_helpers.producer(self.broker.bootstrap)
        produce_all(p, topic, [{"value": b"x"}])  # auto-creates it
        md = p.list_topics(timeout=10)
        self.assertEqual(list(md.brokers), [0])
        self.assertEqual((md.brokers[0].host, md.brokers[0].port), ("127.0.0.1", self.broker.port))
        self.assertEqual(md.controller_id, 0)
        t = md.topics[topic]
        self.assertIsNone(t.error)
        self.assertEqual(sorted(t.partitions), list(range(PARTITIONS)))
        for part in t.partitions.values():
            self.assertEqual(part.leader, 0)
            self.assertEqual(list(part.replicas), [0])
            self.assertEqual(list(part.isrs), [0])
            self.assertIsNone(part.error)

    def test_watermarks(self):
        topic = unique_name("ck-marks")
        p = ck_helpers.producer(self.broker.bootstrap)
        produce_all(p, topic, [{"partition": i % 2, "value": b"%d" % i} for i in range(31)])
        c = ck_helpers.consumer(self.broker.bootstrap)
        try:
            self.assertEqual(ck_helpers.watermarks(c, topic, 0), (0, 16))
            self.assertEqual(ck_helpers.watermarks(c, topic, 1), (0, 15))
            self.assertEqual(ck_helpers.watermarks(c, topic, 3), (0, 0))
        finally:
            c.close()

    def _offsets_for_times(self, one_batch, codec="none"):
        topic = unique_name("ck-times")
        p = ck_helpers.producer(self.broker.bootstrap, **{"compression.codec": codec})
        base = int(time.time() * 1000) - 600000
        stamps = [base + 1000 * i for i in range(10)]
        msgs = [{"partition": 1, "value": b"m%d" % i, "timestamp": ts} for i, ts in enumerate(stamps)]
        if one_batch:
            produce_all(p, topic, msgs)
        else:
            for m in msgs:
                produce_all(p, topic, [m])
        c = ck_helpers.consumer(self.broker.bootstrap)
        try:
            def lookup(ts):
                res = c.offsets_for_times([TopicPartition(topic, 1, ts)], timeout=10)
                self.assertEqual(len(res), 1)
                self.assertIsNone(res[0].error)
                return res[0].offset

            self.assertEqual(lookup(base + 2500), 3)
            self.assertEqual(lookup(base + 3000), 3)
            self.assertEqual(lookup(base - 100), 0)
            self.assertEqual(lookup(stamps[-1]), 9)
            self.assertEqual(lookup(stamps[-1] + 1), -1, "past the last timestamp: no offset")
        finally:
            c.close()

    def test_offsets_for_times_one_message_per_batch(self):
        self._offsets_for_times(one_batch=False)

    def test_offsets_for_times_inside_one_batch(self):
        self._offsets_for_times(one_batch=True)

    def test_offsets_for_times_inside_one_compressed_batch(self):
        for codec in ("gzip", "snappy", "lz4", "zstd"):
            with self.subTest(codec=codec):
                self._offsets_for_times(one_batch=True, codec=codec)


class AdminTest(ConfluentTestCase):

    def test_create_topic_then_list_it(self):
        topic = unique_name("ck-admin")
        self.create_topic(topic, 3)
        t = self.topic_metadata(topic)
        self.assertEqual(sorted(t.partitions), [0, 1, 2])
        self.assertTrue(all(part.leader == 0 for part in t.partitions.values()))

    def test_create_existing_topic_reports_topic_already_exists(self):
        topic = unique_name("ck-admin-dup")
        self.create_topic(topic, 1)
        a = self.admin()  # keep the client alive until the future resolves
        fut = a.create_topics([NewTopic(topic, 1, 1)])[topic]
        with self.assertRaises(KafkaException) as ctx:
            fut.result(timeout=ADMIN_TIMEOUT_S)
        self.assertEqual(ctx.exception.args[0].code(), KafkaError.TOPIC_ALREADY_EXISTS)

    def test_create_partitions_grows_topic(self):
        topic = unique_name("ck-admin-grow")
        self.create_topic(topic, 2)
        a = self.admin()
        self.wait_futures(a.create_partitions([NewPartitions(topic, 6)]), "create_partitions")
        wait_until(lambda: len(self.topic_metadata(topic, a).partitions) == 6, 20, 0.2,
                   "6 partitions")
        p = ck_helpers.producer(self.broker.bootstrap)
        d = produce_all(p, topic, [{"partition": 5, "value": b"new"}])[0]
        self.assertIsNone(d.error)
        self.assertEqual((d.partition, d.offset), (5, 0))

    def test_shrinking_partitions_is_rejected(self):
        topic = unique_name("ck-admin-shrink")
        self.create_topic(topic, 3)
        a = self.admin()
        fut = a.create_partitions([NewPartitions(topic, 2)])[topic]
        with self.assertRaises(KafkaException) as ctx:
            fut.result(timeout=ADMIN_TIMEOUT_S)
        self.assertEqual(ctx.exception.args[0].code(), KafkaError.INVALID_PARTITIONS)

    def test_delete_topic(self):
        topic = unique_name("ck-admin-del")
        self.create_topic(topic, 2)
        p = ck_helpers.producer(self.broker.bootstrap)
        produce_all(p, topic, [{"partition": 0, "value": b"x"}])
        a = self.admin()
        self.wait_futures(a.delete_topics([topic], operation_timeout=10), "delete_topics")
        wait_until(lambda: topic not in a.list_topics(timeout=10).topics, 20, 0.2,
                   "deleted topic gone from metadata")

    def test_delete_unknown_topic_reports_unknown_topic(self):
        a = self.admin()
        fut = list(a.delete_topics([unique_name("ck-admin-nope")]).values())[0]
        with self.assertRaises(KafkaException) as ctx:
            fut.result(timeout=ADMIN_TIMEOUT_S)
        self.assertEqual(ctx.exception.args[0].code(), KafkaError.UNKNOWN_TOPIC_OR_PART)

    def test_replication_factor_above_1_is_rejected(self):
        topic = unique_name("ck-admin-rf")
        a = self.admin()
        fut = a.create_topics([NewTopic(topic, 1, 3)])[topic]
        with self.assertRaises(KafkaException) as ctx:
            fut.result(timeout=ADMIN_TIMEOUT_S)
        self.assertEqual(ctx.exception.args[0].code(), KafkaError.INVALID_REPLICATION_FACTOR)
        self.assertNotIn(topic, a.list_topics(timeout=10).topics)

    def test_invalid_topic_config_is_rejected(self):
        a = self.admin()
        for config in ({"retention.ms": "soon"}, {"segment.bytes": "-5"},
                       {"no.such.config": "1"}):
            topic = unique_name("ck-admin-badcfg")
            with self.subTest(config=config):
                fut = a.create_topics([NewTopic(topic, 1, 1, config=config)])[topic]
                with self.assertRaises(KafkaException) as ctx:
                    fut.result(timeout=ADMIN_TIMEOUT_S)
                self.assertEqual(ctx.exception.args[0].code(), KafkaError.INVALID_CONFIG)
                self.assertNotIn(topic, a.list_topics(timeout=10).topics)

    def test_deleted_topic_recreated_with_same_name_starts_empty(self):
        topic = unique_name("ck-admin-recreate")
        self.create_topic(topic, 2)
        p = ck_helpers.producer(self.broker.bootstrap)
        produce_all(p, topic, [{"partition": 1, "value": b"old-%d" % i} for i in range(50)])
        a = self.admin()
        self.wait_futures(a.delete_topics([topic], operation_timeout=10), "delete_topics")
        wait_until(lambda: topic not in a.list_topics(timeout=10).topics, 20, 0.2, "topic gone")
        self.create_topic(topic, 3)
        d = produce_all(p, topic, [{"partition": 1, "value": b"new"}])[0]
        self.assertIsNone(d.error, d)
        self.assertEqual(d.offset, 0, "a recreated topic must not keep the old log")
        got, marks = consume_partitions(self.broker.bootstrap, topic, [0, 1, 2])
        self.assertEqual([r.value for r in got[1]], [b"new"])
        # And after a restart the old data does not come back.
        self.broker.restart()
        got, marks = consume_partitions(self.broker.bootstrap, topic, [0, 1, 2])
        self.assertEqual([r.value for r in got[1]], [b"new"])
        self.assertEqual(len(self.topic_metadata(topic).partitions), 3)

    def test_describe_configs_lists_log_configs_and_marks_overrides(self):
        topic = unique_name("ck-admin-cfg")
        self.create_topic(topic, 1, config={"retention.ms": "123456789"})
        a = self.admin()
        res = ConfigResource("topic", topic)
        configs = self.wait_futures(a.describe_configs([res]), "describe_configs")
        entries = list(configs.values())[0]
        for name in ("retention.ms", "retention.bytes", "max.message.bytes", "segment.bytes",
                     "cleanup.policy"):
            self.assertIn(name, entries, sorted(entries))
        self.assertEqual(entries["retention.ms"].value, "123456789")
        self.assertFalse(entries["retention.ms"].is_default,
                         "retention.ms set at create time should not be a default")
        self.assertTrue(entries["segment.bytes"].is_default)
        self.assertEqual(entries["cleanup.policy"].value, "delete")
        self.assertEqual(entries["max.message.bytes"].value, "1048588")


class FetchBehaviourTest(ConfluentTestCase):

    def test_consumer_waiting_at_end_of_log_receives_new_messages(self):
        topic = unique_name("ck-longpoll")
        p = ck_helpers.producer(self.broker.bootstrap)
        produce_all(p, topic, [{"partition": 0, "value": b"first"}])
        c = ck_helpers.consumer(self.broker.bootstrap, **{"fetch.wait.max.ms": 2000})
        try:
            c.assign([TopicPartition(topic, 0, 1)])  # at the end
            # Let the consumer park a long-poll Fetch, then produce.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                msgs = c.consume(10, timeout=0.5)
                if any(m.error() and m.error().code() == KafkaError._PARTITION_EOF for m in msgs):
                    break
            produce_all(p, topic, [{"partition": 0, "value": b"second"}])
            got = []
            deadline = time.monotonic() + 30
            while not got and time.monotonic() < deadline:
                got = [m for m in c.consume(10, timeout=0.5) if m.error() is None]
            self.assertEqual([(m.offset(), m.value()) for m in got], [(1, b"second")])
        finally:
            c.close()

    def test_out_of_range_offset_resets_to_earliest_or_latest(self):
        topic = unique_name("ck-oor")
        p = ck_helpers.producer(self.broker.bootstrap)
        produce_all(p, topic, [{"partition": 0, "value": b"m%d" % i} for i in range(10)])
        got, _ = consume_partitions(self.broker.bootstrap, topic, [0], start=1000, timeout=30)
        self.assertEqual([r.offset for r in got[0]], list(range(10)),
                         "auto.offset.reset=earliest after an out-of-range fetch")
        c = ck_helpers.consumer(self.broker.bootstrap, **{"auto.offset.reset": "latest"})
        try:
            c.assign([TopicPartition(topic, 0, 1000)])
            deadline = time.monotonic() + 30
            eof = None
            while eof is None and time.monotonic() < deadline:
                for m in c.consume(10, timeout=0.5):
                    self.assertFalse(m.error() is None, "latest reset must not replay %r"
                                     % (m.value(),))
                    if m.error().code() == KafkaError._PARTITION_EOF:
                        eof = m.offset()
            self.assertEqual(eof, 10)
        finally:
            c.close()

    def test_consume_from_middle_of_compressed_batch(self):
        for codec in ("gzip", "snappy", "lz4", "zstd"):
            with self.subTest(codec=codec):
                topic = unique_name("ck-mid-" + codec)
                p = ck_helpers.producer(self.broker.bootstrap, **{"compression.codec": codec,
                                                                   "linger.ms": 50})
                produce_all(p, topic, [{"partition": 0, "value": b"c%d" % i} for i in range(200)])
                got, _ = consume_partitions(self.broker.bootstrap, topic, [0], start=77)
                self.assertEqual([(r.offset, r.value) for r in got[0]],
                                 [(i, b"c%d" % i) for i in range(77, 200)])

    def test_acks_0_and_acks_1_producers(self):
        topic = unique_name("ck-acks")
        for acks in ("0", "1"):
            p = ck_helpers.producer(self.broker.bootstrap, acks=acks)
            d = produce_all(p, topic, [{"partition": 0, "value": b"acks%s-%d" % (acks.encode(), i)}
                                       for i in range(100)])
            self.assertTrue(all(x.error is None for x in d), d[:3])
        got, _ = consume_partitions(self.broker.bootstrap, topic, [0])
        values = [r.value for r in got[0]]
        # acks=0 reports delivery before the broker has the records, so the acks=1
        # producer (another connection) may overtake its tail; each producer's own
        # records must still all be there, in order.
        self.assertEqual([v for v in values if v.startswith(b"acks0-")], [b"acks0-%d" % i for i in range(100)])
        self.assertEqual([v for v in values if v.startswith(b"acks1-")], [b"acks1-%d" % i for i in range(100)])
        self.assertEqual(len(values), 200)


    def test_tailing_consumer_sees_concurrent_producers_exactly_once(self):
        import threading
        topic = unique_name("ck-tail")
        self.create_topic(topic, 2)
        n_producers, per_producer = 4, 2500
        results = {}

        def run(idx):
            p = ck_helpers.producer(self.broker.bootstrap, **{"linger.ms": idx})
            results[idx] = produce_all(p, topic, [
                {"partition": i % 2, "value": b"p%d-%d" % (idx, i)} for i in range(per_producer)])

        # auto.offset.reset=error: a Fetch answered OFFSET_OUT_OF_RANGE for a position the
        # consumer legitimately reached surfaces as an error instead of a silent rewind.
        c = ck_helpers.consumer(self.broker.bootstrap, **{"fetch.wait.max.ms": 100,
                                                           "auto.offset.reset": "error"})
        seen = {}
        duplicates = []
        errors = []
        expected_total = n_producers * per_producer
        try:
            c.assign([TopicPartition(topic, p, 0) for p in range(2)])
            threads = [threading.Thread(target=run, args=(i,)) for i in range(n_producers)]
            for t in threads:
                t.start()
            deadline = time.monotonic() + 120
            while len(seen) < expected_total and time.monotonic() < deadline and not errors:
                for m in c.consume(1000, timeout=0.5):
                    err = m.error()
                    if err is None:
                        key = (m.partition(), m.offset())
                        if key in seen:
                            duplicates.append(key)
                        seen[key] = m.value()
                    elif err.code() != KafkaError._PARTITION_EOF:
                        errors.append("partition %s offset %s: %s" % (m.partition(), m.offset(), err))
            for t in threads:
                t.join(60)
        finally:
            c.close()
        self.assertFalse(errors, "consumer tailing concurrent appends got errors (first 3): %r%s"
                         % (errors[:3], self.broker_log()))
        self.assertFalse(duplicates, "%d records delivered twice, e.g. %r"
                         % (len(duplicates), duplicates[:5]))
        self.assertEqual(len(results), n_producers, "a producer thread failed")
        acked = {(d.partition, d.offset): d.value for r in results.values() for d in r}
        self.assertTrue(all(d.error is None for r in results.values() for d in r))
        self.assertEqual(len(acked), expected_total, "two acks for one offset")
        missing = sorted(set(acked) - set(seen))
        self.assertFalse(missing, "%d acknowledged records never consumed, e.g. %r"
                         % (len(missing), missing[:5]))
        wrong = [k for k in acked if seen[k] != acked[k]]
        self.assertFalse(wrong, "values differ at %r" % wrong[:5])
        for part in range(2):
            offs = sorted(o for p, o in seen if p == part)
            self.assertEqual(offs, list(range(len(offs))))
        # Each producer's messages stay in its own send order within a partition.
        for idx in range(n_producers):
            for part in range(2):
                mine = [d.offset for d in results[idx] if d.partition == part]
                self.assertEqual(mine, sorted(mine))


class AutoCreateDisabledTest(ConfluentTestCase):
    broker_flags = {"auto_create_topics": False}

    def test_unknown_topic_is_not_created_by_metadata_or_produce(self):
        topic = unique_name("ck-noauto")
        p = ck_helpers.producer(self.broker.bootstrap, **{"message.timeout.ms": 3000})
        d = produce_all(p, topic, [{"value": b"x"}], timeout=30)[0]
        self.assertIsNotNone(d.error, "produce to a missing topic succeeded with auto-create off")
        self.assertIn(d.error.code(), (KafkaError.UNKNOWN_TOPIC_OR_PART, KafkaError._UNKNOWN_TOPIC,
                                       KafkaError._MSG_TIMED_OUT), d.error)
        self.assertNotIn(topic, self.admin().list_topics(timeout=10).topics)
        # Explicit creation still works.
        self.create_topic(topic, 2)
        d = produce_all(ck_helpers.producer(self.broker.bootstrap), topic,
                        [{"partition": 1, "value": b"x"}])[0]
        self.assertIsNone(d.error, d)


class MessageSizeTest(ConfluentTestCase):
    broker_flags = {"default_partitions": 1, "max_message_bytes": 10000}

    def producer(self):
        # The client's own limit is far above the broker's, so only the broker can refuse.
        return ck_helpers.producer(self.broker.bootstrap, **{
            "message.max.bytes": 2000000, "batch.size": 1000000,
            "compression.codec": "none", "linger.ms": 0})

    def test_message_larger_than_max_message_bytes_is_rejected_but_smaller_ones_succeed(self):
        topic = unique_name("ck-size")
        p = self.producer()
        ok1 = produce_all(p, topic, [{"value": b"s" * 500}])[0]
        self.assertIsNone(ok1.error, ok1)
        big = produce_all(p, topic, [{"value": b"B" * 20000}])[0]
        self.assertIsNotNone(big.error, "a 20000-byte message was accepted by a broker with "
                                        "--max-message-bytes 10000")
        self.assertIn(big.error.code(), (KafkaError.MSG_SIZE_TOO_LARGE,
                                         KafkaError.RECORD_LIST_TOO_LARGE),
                      "expected a size error, got %s" % big.error)
        near = produce_all(p, topic, [{"value": b"n" * 9000}])[0]
        self.assertIsNone(near.error, near)
        smalls = [produce_all(p, topic, [{"value": b"s%d" % i}])[0] for i in range(10)]
        self.assertTrue(all(d.error is None for d in smalls), smalls)
        self.assertEqual([ok1.offset, near.offset] + [d.offset for d in smalls], list(range(12)),
                         "the rejected message must not use an offset")
        got, _ = consume_partitions(self.broker.bootstrap, topic, [0])
        self.assertEqual([r.value for r in got[0]],
                         [b"s" * 500, b"n" * 9000] + [b"s%d" % i for i in range(10)])

    def test_topic_level_max_message_bytes_overrides_broker_default(self):
        topic = unique_name("ck-size-topic")
        self.create_topic(topic, 1, config={"max.message.bytes": "100000"})
        p = self.producer()
        d = produce_all(p, topic, [{"value": b"B" * 20000}])[0]
        self.assertIsNone(d.error, "topic max.message.bytes=100000 should allow 20000 bytes: %r"
                          % (d,))


if __name__ == "__main__":
    unittest.main()
