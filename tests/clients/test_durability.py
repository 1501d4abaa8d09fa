"""Durability of `sluice broker` seen through real clients: kill -9 during
production, clean restarts, a torn segment tail, retention, DeleteRecords."""

import glob
import os
import re
import sys
import threading
import time
import unittest

import broker  # noqa: F401  (makes the Debian client packages importable)
from broker import BrokerTestCase, unique_name, wait_until
import ck_helpers
import wire
from ck_helpers import consume_partitions, produce_all

from confluent_kafka import TopicPartition

VALUE_RE = re.compile(rb"^id=(\d+);")


def value_for(i, pad=40):
    return b"id=%d;" % i + (b"p%d" % i) * (pad // 4)


def segment_files(data_dir, topic, partition, ext="log"):
    pattern = os.path.join(data_dir, "topics", topic, str(partition), "*." + ext)
    return sorted(glob.glob(pattern))


class DurabilityTestCase(BrokerTestCase):

    def consume_all(self, topic, partitions, **kw):
        try:
            return consume_partitions(self.broker.bootstrap, topic, partitions, **kw)
        except AssertionError as e:
            self.fail("%s%s" % (e, self.broker_log()))

    def low_watermark(self, topic, partition):
        c = ck_helpers.consumer(self.broker.bootstrap)
        try:
            return ck_helpers.watermarks(c, topic, partition)
        finally:
            c.close()


class KillNineTest(DurabilityTestCase):
    broker_flags = {"flush": "always", "default_partitions": 4}

    def test_every_acknowledged_message_survives_kill_9_during_production(self):
        topic = unique_name("dur-kill9")
        total = 20000
        kill_after_acks = 3000
        acked = {}  # (partition, offset) -> value
        acked_lock = threading.Lock()
        errors = []
        killed = threading.Event()
        enough_acks = threading.Event()

        p = ck_helpers.producer(self.broker.bootstrap, **{
            "linger.ms": 2, "message.timeout.ms": 8000, "socket.timeout.ms": 5000,
            "retries": 0})

        def on_delivery(err, msg):
            if err is not None:
                errors.append(err.code())
                return
            with acked_lock:
                key = (msg.partition(), msg.offset())
                if key in acked:
                    errors.append("duplicate ack %r" % (key,))
                acked[key] = msg.value()
                if len(acked) >= kill_after_acks:
                    enough_acks.set()

        def killer():
            if enough_acks.wait(120):
                self.broker.kill9()
            killed.set()

        t = threading.Thread(target=killer, daemon=True)
        t.start()
        deadline = time.monotonic() + 180
        for i in range(total):
            while True:
                try:
                    p.produce(topic, key=b"k%d" % (i % 13), value=value_for(i),
                              on_delivery=on_delivery)
                    break
                except BufferError:
                    self.assertLess(time.monotonic(), deadline, "producer queue stuck")
                    p.poll(0.05)
            p.poll(0)
            if i % 500 == 0:
                # Keep the producer from racing far ahead of the acks so the kill lands
                # mid-stream rather than after everything was already written.
                while not enough_acks.is_set() and len(p) > 2000 and time.monotonic() < deadline:
                    p.poll(0.05)
        remaining = p.flush(60)
        self.assertEqual(remaining, 0, "producer could not settle its queue")
        self.assertTrue(killed.wait(30), "the killer thread never ran")
        t.join(5)
        self.assertFalse([e for e in errors if isinstance(e, str)], errors[:5])
        n_acked = len(acked)
        self.assertGreaterEqual(n_acked, kill_after_acks)
        self.assertFalse(self.broker.is_running())

        self.broker.restart(stop_first=False)
        got, marks = self.consume_all(topic, range(4), timeout=120)
        stored = {(part, r.offset): r.value for part, recs in got.items() for r in recs}
        print("\n  kill -9 after %d acks; %d acknowledged in all, %d failed, %d stored after restart"
              % (kill_after_acks, n_acked, len(errors), len(stored)), file=sys.stderr)
        lost = [k for k in acked if k not in stored]
        self.assertFalse(lost, "%d of %d acknowledged messages missing after kill -9 + restart, "
                               "e.g. %r; watermarks %r%s"
                         % (len(lost), n_acked, sorted(lost)[:10], marks, self.broker_log()))
        wrong = [(k, acked[k], stored[k]) for k in acked if stored[k] != acked[k]]
        self.assertFalse(wrong, "%d acknowledged offsets hold a different value, e.g. %r"
                         % (len(wrong), wrong[:3]))
        # Everything stored is something we produced (no garbage records).
        for k, v in stored.items():
            m = VALUE_RE.match(v or b"")
            self.assertTrue(m and v == value_for(int(m.group(1))), "unexpected record %r: %r"
                            % (k, v[:80] if v else v))
        # Each partition's offsets are dense from 0.
        for part, recs in got.items():
            self.assertEqual([r.offset for r in recs], list(range(len(recs))))

        # And the restarted broker accepts new writes after the surviving tail.
        p2 = ck_helpers.producer(self.broker.bootstrap)
        d = produce_all(p2, topic, [{"partition": part, "value": value_for(total + part)}
                                    for part in range(4)])
        for x in d:
            self.assertIsNone(x.error, x)
            self.assertEqual(x.offset, marks[x.partition][1],
                             "new offsets continue after the recovered log")



def _batches(records):
    """(base_offset, last_offset) of each whole v2 batch in a Fetch records blob."""
    out = []
    pos = 0
    while pos + 61 <= len(records):
        base = int.from_bytes(records[pos:pos + 8], "big", signed=True)
        length = int.from_bytes(records[pos + 8:pos + 12], "big", signed=True)
        if pos + 12 + length > len(records):
            break
        last_delta = int.from_bytes(records[pos + 23:pos + 27], "big", signed=True)
        out.append((base, base + last_delta))
        pos += 12 + length
    return out


class ReadVisibilityTest(DurabilityTestCase):
    broker_flags = {"flush": "always", "default_partitions": 1}

    def test_fetch_never_returns_records_at_or_above_its_high_watermark(self):
        # With --flush always a batch is acknowledged (and the high watermark moves)
        # only after fdatasync; a Fetch must not hand out records above the high
        # watermark it reports, or consumers see unsynced data and then get
        # OFFSET_OUT_OF_RANGE at a position they legitimately reached.
        topic = unique_name("dur-visible")
        wait_until(lambda: wire.metadata_v1(self.broker.port, [topic])["topics"][0]["partitions"],
                   20, 0.2, "topic")
        stop = threading.Event()
        produce_errors = []

        def produce():
            i = 0
            while not stop.is_set():
                err, _ = wire.produce_v3(self.broker.port, topic, 0,
                                         wire.record_batch([(None, value_for(i))]))
                if err:
                    produce_errors.append(err)
                i += 1

        threads = [threading.Thread(target=produce) for _ in range(3)]
        for t in threads:
            t.start()
        violations = []
        out_of_range = []
        try:
            with wire.Connection(self.broker.port) as c:
                deadline = time.monotonic() + 4
                next_offset = 0
                n = 0
                while time.monotonic() < deadline and len(violations) < 5:
                    n += 1
                    c.send_request(wire.request_header_v1(wire.FETCH, 11, n),
                                   wire.fetch_body(11, topic, 0, next_offset, max_wait_ms=50))
                    r = wire.Reader(c.recv_frame())
                    r.int32()
                    r.int32(); r.int16(); r.int32(); r.int32(); r.string(); r.int32()
                    r.int32()
                    err, hw = r.int16(), r.int64()
                    r.int64(); r.int64(); r.array(lambda r: (r.int64(), r.int64())); r.int32()
                    size = r.int32()
                    records = r._take(size) if size > 0 else b""
                    if err == wire.OFFSET_OUT_OF_RANGE:
                        out_of_range.append((next_offset, hw))
                        continue
                    for base, last in _batches(records):
                        if last >= hw:
                            violations.append((base, last, hw))
                        next_offset = max(next_offset, last + 1)
        finally:
            stop.set()
            for t in threads:
                t.join(30)
        self.assertFalse(produce_errors, produce_errors[:5])
        self.assertFalse(violations, "Fetch returned batches (base, last) at/above the high "
                                     "watermark it reported: %r" % violations[:5])
        self.assertFalse(out_of_range, "Fetch said OFFSET_OUT_OF_RANGE for offsets it had just "
                                       "served (offset, hw): %r" % out_of_range[:5])


class CleanRestartTest(DurabilityTestCase):
    broker_flags = {"flush": "200ms", "default_partitions": 3}

    def test_everything_survives_sigterm_restart_and_offsets_continue(self):
        topic = unique_name("dur-restart")
        p = ck_helpers.producer(self.broker.bootstrap)
        n = 6000
        deliveries = produce_all(p, topic, [{"key": b"k%d" % (i % 7), "value": value_for(i)}
                                            for i in range(n)])
        self.assertFalse([d for d in deliveries if d.error])
        rc = self.broker.stop()
        self.assertEqual(rc, 0, "broker exit code after SIGTERM" + self.broker_log())
        self.broker.restart()

        got, marks = self.consume_all(topic, range(3))
        stored = {(part, r.offset): r.value for part, recs in got.items() for r in recs}
        self.assertEqual(len(stored), n)
        for d in deliveries:
            self.assertEqual(stored.get((d.partition, d.offset)), d.value)

        p2 = ck_helpers.producer(self.broker.bootstrap)
        more = produce_all(p2, topic, [{"partition": part, "value": b"after"} for part in range(3)])
        for d in more:
            self.assertIsNone(d.error, d)
            self.assertEqual(d.offset, marks[d.partition][1])

    def test_two_restarts_keep_data_and_topic_configs(self):
        topic = unique_name("dur-restart2")
        from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic
        a = AdminClient({"bootstrap.servers": self.broker.bootstrap})
        a.create_topics([NewTopic(topic, 2, 1, config={"retention.ms": "987654321"})])[topic] \
            .result(timeout=30)
        p = ck_helpers.producer(self.broker.bootstrap)
        produce_all(p, topic, [{"partition": i % 2, "value": value_for(i)} for i in range(100)])
        for _ in range(2):
            self.broker.restart()
        got, _ = self.consume_all(topic, range(2))
        self.assertEqual(sum(len(v) for v in got.values()), 100)
        a = AdminClient({"bootstrap.servers": self.broker.bootstrap})
        res = ConfigResource("topic", topic)
        entries = a.describe_configs([res])[res].result(timeout=30)
        self.assertEqual(entries["retention.ms"].value, "987654321",
                         "a topic config set at create time must survive restarts")
        md = a.list_topics(timeout=10)
        self.assertEqual(len(md.topics[topic].partitions), 2)


class TornTailTest(DurabilityTestCase):
    broker_flags = {"flush": "always", "default_partitions": 1}

    def _torn_tail(self, garbage):
        topic = unique_name("dur-torn")
        p = ck_helpers.producer(self.broker.bootstrap)
        n = 1000
        produce_all(p, topic, [{"partition": 0, "value": value_for(i)} for i in range(n)])
        self.broker.stop()

        logs = segment_files(self.broker.data_dir, topic, 0)
        self.assertTrue(logs, "no segment files under %s/topics/%s/0"
                        % (self.broker.data_dir, topic))
        last = logs[-1]
        with open(last, "ab") as f:
            f.write(garbage)

        self.broker.restart()
        got, marks = self.consume_all(topic, [0])
        self.assertEqual(marks[0], (0, n), "high watermark after recovering a torn tail")
        self.assertEqual([r.value for r in got[0]], [value_for(i) for i in range(n)])

        p2 = ck_helpers.producer(self.broker.bootstrap)
        more = produce_all(p2, topic, [{"partition": 0, "value": value_for(n + i)}
                                       for i in range(10)])
        self.assertEqual([d.offset for d in more], list(range(n, n + 10)))
        self.assertTrue(all(d.error is None for d in more))
        got, _ = self.consume_all(topic, [0])
        self.assertEqual([r.value for r in got[0]], [value_for(i) for i in range(n + 10)])
        # A second restart sees the same log: the recovery left no garbage behind that
        # could hide the batches written after it.
        self.broker.restart()
        got, marks = self.consume_all(topic, [0])
        self.assertEqual(marks[0], (0, n + 10))
        self.assertEqual([r.value for r in got[0]], [value_for(i) for i in range(n + 10)])

    def test_random_garbage_after_last_batch_is_truncated_on_restart(self):
        self._torn_tail(bytes(range(7, 250, 3)) * 3)

    def test_partial_batch_header_after_last_batch_is_truncated_on_restart(self):
        # base offset 1000, batch length 400, then only a few header bytes: a write
        # interrupted by a crash.
        self._torn_tail(b"\x00\x00\x00\x00\x00\x00\x03\xe8" + b"\x00\x00\x01\x90" + b"\x00" * 9)

    def test_batch_with_bad_crc_after_last_batch_is_truncated_on_restart(self):
        # A complete-looking batch header whose CRC cannot match its body.
        body = (b"\x00\x00\x00\x00"      # partition leader epoch
                b"\x02"                  # magic 2
                b"\xde\xad\xbe\xef"      # crc (wrong)
                + b"\x00" * 40 + b"\x00\x00\x00\x01" + b"\x01\x02\x03\x04" * 5)
        self._torn_tail(b"\x00\x00\x00\x00\x00\x00\x03\xe8" + len(body).to_bytes(4, "big") + body)



class SegmentsTest(DurabilityTestCase):
    broker_flags = {"default_partitions": 1, "segment_bytes": 4096}

    def _check_log(self, topic, n, base_ts):
        got, marks = self.consume_all(topic, [0])
        self.assertEqual(marks[0], (0, n))
        self.assertEqual([r.value for r in got[0]], [value_for(i, pad=200) for i in range(n)])
        for start in (0, 1, n // 3, n // 2 + 1, n - 1):
            got, _ = self.consume_all(topic, [0], start=start)
            self.assertEqual([r.offset for r in got[0]], list(range(start, n)), "from %d" % start)
        c = ck_helpers.consumer(self.broker.bootstrap)
        try:
            for i in (0, 1, n // 2, n - 1):
                res = c.offsets_for_times([TopicPartition(topic, 0, base_ts + 10 * i)], timeout=10)
                self.assertEqual(res[0].offset, i, "offsets_for_times(message %d)" % i)
        finally:
            c.close()

    def test_reads_across_many_segments_before_and_after_restart_and_index_loss(self):
        topic = unique_name("dur-seg")
        p = ck_helpers.producer(self.broker.bootstrap, **{"batch.size": 1000, "linger.ms": 0})
        n = 300
        base_ts = int(time.time() * 1000) - 100000
        produce_all(p, topic, [{"partition": 0, "value": value_for(i, pad=200),
                                "timestamp": base_ts + 10 * i} for i in range(n)])
        logs = segment_files(self.broker.data_dir, topic, 0)
        self.assertGreater(len(logs), 10, "segment.bytes 4096 should have rolled many segments")
        for f in logs:
            self.assertLessEqual(os.path.getsize(f), 4096 + 1100, "segment %s too large" % f)
        self._check_log(topic, n, base_ts)

        self.broker.restart()
        self._check_log(topic, n, base_ts)

        # Indexes are derived data: deleting them must not lose anything.
        self.broker.stop()
        removed = 0
        for ext in ("index", "timeindex"):
            for f in segment_files(self.broker.data_dir, topic, 0, ext):
                os.remove(f)
                removed += 1
        self.assertGreater(removed, 0, "no index files found to remove")
        self.broker.restart()
        self._check_log(topic, n, base_ts)

        # Appends continue in a fresh segment after all that.
        more = produce_all(ck_helpers.producer(self.broker.bootstrap),
                           topic, [{"partition": 0, "value": value_for(n, pad=200)}])
        self.assertEqual(more[0].offset, n)

    def test_corrupt_index_files_are_rebuilt(self):
        topic = unique_name("dur-seg-badidx")
        p = ck_helpers.producer(self.broker.bootstrap, **{"batch.size": 1000, "linger.ms": 0})
        n = 200
        base_ts = int(time.time() * 1000) - 100000
        produce_all(p, topic, [{"partition": 0, "value": value_for(i, pad=200),
                                "timestamp": base_ts + 10 * i} for i in range(n)])
        self.broker.stop()
        for ext in ("index", "timeindex"):
            for f in segment_files(self.broker.data_dir, topic, 0, ext):
                size = os.path.getsize(f)
                with open(f, "r+b") as fh:
                    fh.write(b"\xff" * max(size, 24))
        self.broker.restart()
        self._check_log(topic, n, base_ts)


class RetentionTest(DurabilityTestCase):
    broker_flags = {"default_partitions": 1, "segment_bytes": 4096, "retention_bytes": 20000,
                    "retention_check_interval_ms": 200}

    def test_retention_bytes_deletes_oldest_segments(self):
        topic = unique_name("dur-ret")
        # Small batches so segments roll at 4 KB.
        p = ck_helpers.producer(self.broker.bootstrap, **{"batch.size": 1500, "linger.ms": 0})
        n = 400  # ~200 KB of ~500-byte values
        deliveries = produce_all(p, topic, [{"partition": 0, "value": value_for(i, pad=480)}
                                            for i in range(n)])
        self.assertFalse([d for d in deliveries if d.error])

        def low_above_zero():
            low, high = self.low_watermark(topic, 0)
            return low if low > 0 else None

        try:
            low = wait_until(low_above_zero, 15, 0.3, "earliest offset to rise above 0")
        except AssertionError as e:
            self.fail("%s; segment files %r%s"
                      % (e, [os.path.basename(f) for f in
                             segment_files(self.broker.data_dir, topic, 0)], self.broker_log()))
        self.assertLess(low, n)
        bound = 20000 + 2 * 4096 + 2048
        state = {}

        def converged():
            # Retention settles: the oldest segment is gone, what is left is about
            # retention.bytes, and the earliest offset is the first segment's base offset.
            logs = segment_files(self.broker.data_dir, topic, 0)
            names = [os.path.basename(f) for f in logs]
            total = sum(os.path.getsize(f) for f in logs)
            low = self.low_watermark(topic, 0)[0]
            first_base = int(names[0].split(".")[0]) if names else None
            state.update(names=names, total=total, low=low, first_base=first_base)
            return ("%020d.log" % 0 not in names and total <= bound and first_base == low)

        try:
            wait_until(converged, 15, 0.3, "retention to settle")
        except AssertionError as e:
            self.fail("%s: %r (bound %d bytes)%s" % (e, state, bound, self.broker_log()))

        # Reading from the beginning starts at the new earliest offset and sees intact data.
        got, marks = self.consume_all(topic, [0])
        self.assertEqual(marks[0][1], n)
        recs = got[0]
        self.assertEqual([r.offset for r in recs], list(range(marks[0][0], n)))
        self.assertEqual([r.value for r in recs], [value_for(i, pad=480)
                                                   for i in range(marks[0][0], n)])


class RetentionMsTest(DurabilityTestCase):
    broker_flags = {"default_partitions": 1, "segment_bytes": 4096, "retention_ms": 1000,
                    "retention_check_interval_ms": 200}

    def test_retention_ms_deletes_old_segments(self):
        topic = unique_name("dur-ret-ms")
        p = ck_helpers.producer(self.broker.bootstrap, **{"batch.size": 1500, "linger.ms": 0})
        produce_all(p, topic, [{"partition": 0, "value": value_for(i, pad=480)} for i in range(100)])

        def low_above_zero():
            low, _ = self.low_watermark(topic, 0)
            return low if low > 0 else None

        low = wait_until(low_above_zero, 15, 0.3, "earliest offset to rise above 0 (retention.ms)")
        self.assertLessEqual(low, 100)
        _, high = self.low_watermark(topic, 0)
        self.assertEqual(high, 100)


class DeleteRecordsTest(DurabilityTestCase):
    broker_flags = {"default_partitions": 2}

    def test_delete_records_raises_low_watermark(self):
        topic = unique_name("dur-delrec")
        p = ck_helpers.producer(self.broker.bootstrap)
        produce_all(p, topic, [{"partition": i % 2, "value": value_for(i)} for i in range(200)])
        # Neither kafka-python 2.0.2 nor confluent_kafka 1.7.0 can send DeleteRecords,
        # so this is a raw DeleteRecords v0 request.
        res = wire.delete_records_v0(self.broker.port, topic, {0: 40, 1: 7})
        self.assertEqual(res, {0: (40, 0), 1: (7, 0)})
        self.assertEqual(self.low_watermark(topic, 0), (40, 100))
        self.assertEqual(self.low_watermark(topic, 1), (7, 100))

        got, _ = self.consume_all(topic, [0, 1])
        self.assertEqual([r.offset for r in got[0]], list(range(40, 100)))
        self.assertEqual(got[0][0].value, value_for(80))
        self.assertEqual([r.offset for r in got[1]], list(range(7, 100)))
        self.assertEqual(got[1][0].value, value_for(15))

        # The earliest offset is the new low watermark.
        lo = wire.list_offsets_v1(self.broker.port, topic, {0: -2, 1: -2})
        self.assertEqual(lo[0][2], 40)
        self.assertEqual(lo[1][2], 7)

        # -1 deletes up to the high watermark; past the high watermark is an error.
        res = wire.delete_records_v0(self.broker.port, topic, {1: -1})
        self.assertEqual(res, {1: (100, 0)})
        res = wire.delete_records_v0(self.broker.port, topic, {0: 101})
        self.assertEqual(res[0][1], wire.OFFSET_OUT_OF_RANGE)
        self.assertEqual(self.low_watermark(topic, 0), (40, 100))


    def test_consumer_positioned_below_low_watermark_resets_to_it(self):
        # A consumer asking for a deleted offset gets OFFSET_OUT_OF_RANGE and, with
        # auto.offset.reset=earliest, continues from the new low watermark.
        topic = unique_name("dur-delrec-reset")
        p = ck_helpers.producer(self.broker.bootstrap)
        produce_all(p, topic, [{"partition": 0, "value": value_for(i)} for i in range(100)])
        self.assertEqual(wire.delete_records_v0(self.broker.port, topic, {0: 60}), {0: (60, 0)})
        got, _ = self.consume_all(topic, [0], start=5, timeout=30)
        self.assertEqual([r.offset for r in got[0]], list(range(60, 100)))

    def test_delete_records_low_watermark_survives_restart(self):
        topic = unique_name("dur-delrec-restart")
        p = ck_helpers.producer(self.broker.bootstrap)
        produce_all(p, topic, [{"partition": i % 2, "value": value_for(i)} for i in range(200)])
        res = wire.delete_records_v0(self.broker.port, topic, {0: 40, 1: -1})
        self.assertEqual(res, {0: (40, 0), 1: (100, 0)})
        self.broker.restart()
        self.assertEqual(self.low_watermark(topic, 0), (40, 100))
        self.assertEqual(self.low_watermark(topic, 1), (100, 100))
        got, _ = self.consume_all(topic, [0, 1])
        self.assertEqual([r.offset for r in got[0]], list(range(40, 100)))
        self.assertEqual(got[1], [])

    def test_delete_records_on_unknown_topic_reports_unknown_topic(self):
        res = wire.delete_records_v0(self.broker.port, unique_name("dur-nope"), {0: 1})
        self.assertEqual(res[0][1], wire.UNKNOWN_TOPIC_OR_PARTITION)


if __name__ == "__main__":
    unittest.main()
