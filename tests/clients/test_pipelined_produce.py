"""Pipelined Produce on one connection (docs/broker.md "Pipelined produce").

Under flush `always` a Produce waits for its fdatasync. The broker then reads the
connection's next request instead of muting it: a Produce is written at once (so
its sync can be shared), anything else waits until the Produces before it are
answered. What a client must see is unchanged from one-request-at-a-time:
answers in request order, offsets in request order, and a request after a
Produce sees what that Produce wrote. Requests are sent back to back on a raw
socket, none waiting for its answer, as librdkafka does with max.in.flight."""

import unittest

import broker  # noqa: F401  (makes the Debian client packages importable)
from broker import BrokerTestCase, unique_name
import wire


def produce_frame(correlation_id, topic, value, acks=-1):
    header = wire.request_header_v1(wire.PRODUCE, 3, correlation_id)
    body = wire.produce_v3_body(topic, 0, wire.record_batch([(None, value)]), acks=acks)
    return wire.frame(header + body)


def list_offsets_frame(correlation_id, topic):
    w = wire.Writer().int32(-1)
    w.array([topic], lambda w, t: (w.string(t), w.array([0], lambda w, p: (w.int32(p),
                                                                        w.int64(-1)))))
    return wire.frame(wire.request_header_v1(wire.LIST_OFFSETS, 1, correlation_id) + w.bytes())


def read_one_partition(r):
    """The one partition of a Produce v3 or ListOffsets v1 answer: four fields,
    (partition, error, base offset | timestamp, log append time | offset)."""
    parts = []
    r.array(lambda r: (r.string(), r.array(lambda r: parts.append(
        (r.int32(), r.int16(), r.int64(), r.int64())))))
    (part,) = parts
    return part


def read_produce(r):
    _, err, base, _ = read_one_partition(r)
    return err, base


def read_list_offsets(r):
    _, err, _, offset = read_one_partition(r)
    return err, offset


class PipelinedProduce(BrokerTestCase):
    def create(self, topic):
        err, base = wire.produce_v3(self.broker.port, topic, 0, wire.record_batch([(None, b"0")]))
        self.assertEqual((err, base), (0, 0))

    def test_answers_come_back_in_request_order_and_see_what_came_before(self):
        topic = unique_name("pipelined")
        self.create(topic)
        frames, expected = [], []
        for i in range(1, 41):
            frames.append(produce_frame(1000 + i, topic, b"v%d" % i))
            expected.append(("produce", 1000 + i, i))
            if i in (10, 25):  # a read between Produces sees every one before it
                frames.append(list_offsets_frame(2000 + i, topic))
                expected.append(("list_offsets", 2000 + i, i + 1))
        frames.append(wire.frame(wire.request_header_v1(wire.METADATA, 1, 3000) +
                                 wire.metadata_v1_body([topic])))
        expected.append(("metadata", 3000, None))
        with wire.Connection(self.broker.port, timeout=30) as c:
            c.send_raw(b"".join(frames))  # all at once: nothing waits for an answer
            for kind, correlation_id, value in expected:
                r = wire.Reader(c.recv_frame())
                self.assertEqual(r.int32(), correlation_id, "answers in request order")
                if kind == "produce":
                    self.assertEqual(read_produce(r), (0, value),
                                     "written in request order" + self.broker_log())
                elif kind == "list_offsets":
                    self.assertEqual(read_list_offsets(r), (0, value),
                                     "the Produces before it are visible")
        self.assertEqual(wire.list_offsets_v1(self.broker.port, topic, {0: -1})[0][2], 41)

    def test_acks_zero_produces_answer_nothing_and_are_visible_to_the_next_request(self):
        topic = unique_name("pipelined-acks0")
        self.create(topic)
        frames = [produce_frame(100 + i, topic, b"x", acks=0) for i in range(12)]
        frames.append(list_offsets_frame(200, topic))
        with wire.Connection(self.broker.port, timeout=30) as c:
            c.send_raw(b"".join(frames))
            r = wire.Reader(c.recv_frame())
            self.assertEqual(r.int32(), 200, "acks=0 Produces are not answered")
            self.assertEqual(read_list_offsets(r), (0, 13))

    def test_a_client_gone_with_commits_in_flight_leaves_the_broker_serving(self):
        topic = unique_name("pipelined-gone")
        self.create(topic)
        for _ in range(5):
            c = wire.Connection(self.broker.port)
            c.send_raw(b"".join(produce_frame(i, topic, b"y" * 1000) for i in range(200)))
            c.close()  # before any answer: commits may still be running
        err, after = wire.produce_v3(self.broker.port, topic, 0,
                                     wire.record_batch([(None, b"after")]))
        self.assertEqual(err, 0, self.broker_log())
        # Requests a gone client had already sent may still be committing, so the
        # end can move on; what must hold is that nothing written stays unreadable.
        end = wire.list_offsets_v1(self.broker.port, topic, {0: -1})[0][2]
        self.assertGreater(end, after, "the acknowledged batch is below the end")
        got = wire.fetch(self.broker.port, 4, topic, 0, after)
        self.assertGreaterEqual(got["high_watermark"], end, "every written batch is readable")
        self.assertIn(b"after", got["records"], "the acknowledged batch is served")


if __name__ == "__main__":
    unittest.main()
