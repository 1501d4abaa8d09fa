"""Fetch semantics checked on the wire with hand-built Fetch v11 requests:
long-polling on max_wait_ms/min_bytes, whole batches, and the partition and
response byte limits (KIP-74)."""

import threading
import time
import unittest

import wire
from broker import BrokerProcess, unique_name, wait_until


def fetch_v11_body(topic, partitions, max_wait_ms, min_bytes, max_bytes):
    """partitions: list of (partition, fetch_offset, partition_max_bytes)."""
    w = wire.Writer().int32(-1).int32(max_wait_ms).int32(min_bytes).int32(max_bytes)
    w.int8(0).int32(0).int32(-1)
    w.array([topic], lambda w, t: (
        w.string(t),
        w.array(partitions, lambda w, p: (
            w.int32(p[0]), w.int32(-1), w.int64(p[1]), w.int64(-1), w.int32(p[2])))))
    w.int32(0)   # forgotten topics
    w.string("")  # rack id
    return w.bytes()


def parse_fetch_v11(r):
    """Returns {partition: (error, high_watermark, records_bytes)}."""
    r.int32()  # throttle
    assert r.int16() == 0
    r.int32()  # session id
    out = {}

    def part(r):
        p, err, hw = r.int32(), r.int16(), r.int64()
        r.int64()
        r.int64()
        n = r.int32()
        for _ in range(max(n, 0)):
            r.int64()
            r.int64()
        r.int32()  # preferred read replica
        size = r.int32()
        out[p] = (err, hw, r._take(size) if size > 0 else b"")

    r.array(lambda r: (r.string(), r.array(part)))
    return out


class FetchWireTest(unittest.TestCase):

    def setUp(self):
        self.broker = BrokerProcess(default_partitions=2)
        self.topic = unique_name("fw")
        wait_until(lambda: wire.metadata_v1(self.broker.port, [self.topic]), 10, 0.1, "topic created")

    def tearDown(self):
        self.broker.stop()

    def fetch(self, partitions, max_wait_ms=0, min_bytes=0, max_bytes=1 << 20, timeout=20):
        with wire.Connection(self.broker.port, timeout) as c:
            r = c.roundtrip(wire.FETCH, 11, 5, fetch_v11_body(self.topic, partitions, max_wait_ms, min_bytes,
                                                              max_bytes), timeout=timeout)
            return parse_fetch_v11(r)

    def produce(self, partition, n, value=b"v" * 100):
        batch = wire.record_batch([(b"k", value)] * n)
        err, _ = wire.produce_v3(self.broker.port, self.topic, partition, batch)
        self.assertEqual(err, 0)
        return len(batch)

    def test_an_empty_fetch_waits_for_max_wait_before_answering(self):
        start = time.monotonic()
        got = self.fetch([(0, 0, 1 << 20)], max_wait_ms=1500, min_bytes=1)
        self.assertGreaterEqual(time.monotonic() - start, 1.0, "the broker answered without waiting")
        self.assertEqual(got[0], (0, 0, b""))

    def test_a_waiting_fetch_is_answered_when_data_arrives(self):
        threading.Timer(0.5, lambda: self.produce(0, 3)).start()
        got = self.fetch([(0, 0, 1 << 20)], max_wait_ms=30000, min_bytes=1, timeout=25)
        err, hw, records = got[0]
        self.assertEqual((err, hw), (0, 3))
        self.assertGreater(len(records), 61)

    def test_a_fetch_waiting_for_min_bytes_is_answered_once_they_have_arrived_not_before(self):
        one = len(wire.record_batch([(b"k", b"v" * 100)] * 3))
        for delay in (0.3, 0.6, 0.9):  # three appends; only the third reaches min_bytes
            threading.Timer(delay, lambda: self.produce(0, 3)).start()
        # max_wait far beyond the socket timeout: an answer at all means min_bytes was reached.
        got = self.fetch([(0, 0, 1 << 20)], max_wait_ms=120000, min_bytes=2 * one + 1, timeout=60)
        err, hw, records = got[0]
        self.assertEqual((err, hw), (0, 9))
        self.assertEqual(len(records), 3 * one, "all three batches, the last of which completed it")

    def test_the_first_batch_is_returned_whole_even_beyond_the_partition_limit(self):
        size = self.produce(0, 10)
        self.produce(0, 10)
        got = self.fetch([(0, 0, 10)])
        self.assertEqual(len(got[0][2]), size)

    def test_a_fetch_from_the_middle_of_a_batch_returns_that_whole_batch(self):
        size = self.produce(0, 10)
        got = self.fetch([(0, 7, 1 << 20)])
        self.assertEqual(len(got[0][2]), size)
        self.assertEqual(int.from_bytes(got[0][2][:8], "big"), 0, "batch base offset")

    def test_the_response_limit_holds_back_later_partitions(self):
        size0 = self.produce(0, 10)
        self.produce(1, 10)
        got = self.fetch([(0, 0, 1 << 20), (1, 0, 1 << 20)], max_bytes=size0 + 10)
        self.assertEqual(len(got[0][2]), size0)
        self.assertEqual(got[1][2], b"", "partition 1 would exceed the response limit")
        both = self.fetch([(0, 0, 1 << 20), (1, 0, 1 << 20)])
        self.assertTrue(both[0][2] and both[1][2])

    def test_an_offset_past_the_end_is_out_of_range(self):
        self.produce(0, 2)
        got = self.fetch([(0, 5, 1 << 20)])
        self.assertEqual(got[0][0], wire.OFFSET_OUT_OF_RANGE)


if __name__ == "__main__":
    unittest.main()
