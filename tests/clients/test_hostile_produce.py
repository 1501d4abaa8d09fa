"""Produce requests that lie, seen through a raw socket: a batch whose
record_count disagrees with its offsets or its records is answered
INVALID_RECORD (87, as Kafka's LogValidator answers) and stored nowhere; a
topic name carrying a line break cannot forge a line in the broker's log."""

import struct
import unittest

import broker  # noqa: F401  (makes the Debian client packages importable)
from broker import BrokerTestCase, unique_name
import wire

INVALID_RECORD = 87
CORRUPT_MESSAGE = 2


def with_counts(batch, last_offset_delta, record_count):
    """The batch with its count fields rewritten and its CRC fixed, so only the
    content checks can object."""
    b = bytearray(batch)
    struct.pack_into(">i", b, 23, last_offset_delta)
    struct.pack_into(">i", b, 57, record_count)
    struct.pack_into(">I", b, 17, wire.crc32c(bytes(b[21:])))
    return bytes(b)


def with_length(batch, cut):
    """The batch with its last `cut` bytes removed, batchLength and CRC made to agree."""
    b = bytearray(batch[:len(batch) - cut])
    struct.pack_into(">i", b, 8, len(b) - 12)
    struct.pack_into(">I", b, 17, wire.crc32c(bytes(b[21:])))
    return bytes(b)


class HostileProduce(BrokerTestCase):
    def high_watermark(self, topic):
        return wire.fetch(self.broker.port, 4, topic, 0, 0)["high_watermark"]

    def test_a_record_count_lie_is_invalid_record_and_not_stored(self):
        topic = unique_name("lies")
        good = wire.record_batch([(None, b"a")])
        self.assertEqual(wire.produce_v3(self.broker.port, topic, 0, good)[0], 0)
        lies = {
            "count 2^31-1 holding one record": with_counts(good, 0, 2**31 - 1),
            "count matching offsets, one record inside": with_counts(good, 2**31 - 2, 2**31 - 1),
            "three records, two declared": with_counts(
                wire.record_batch([(None, b"a"), (None, b"b"), (None, b"c")]), 1, 2),
            "records overrunning batchLength": with_length(
                wire.record_batch([(None, b"a"), (None, b"bcdef")]), 3),
        }
        for what, batch in lies.items():
            with self.subTest(what):
                err, _ = wire.produce_v3(self.broker.port, topic, 0, batch)
                self.assertEqual(err, INVALID_RECORD, what)
        self.assertEqual(self.high_watermark(topic), 1, "no lying batch was stored")
        # The connection-level view: still answering, and a good batch still goes in.
        self.assertEqual(wire.produce_v3(self.broker.port, topic, 0, good)[0], 0)
        self.assertEqual(self.high_watermark(topic), 2)

    def test_a_line_break_in_a_topic_name_forges_no_log_line(self):
        forged = "2026-12-06T00:00:00.000Z ERROR broker: FORGED-%s" % unique_name("x")
        name = "evil\n" + forged + "\r\x1b[2K"
        err, _ = wire.produce_v3(self.broker.port, name, 0, wire.record_batch([(None, b"a")]))
        self.assertNotEqual(err, 0, "the name is not a valid topic name")
        with open(self.broker.stderr_path, "rb") as f:
            log = f.read().decode("utf-8", "replace")
        self.assertIn("evil\\n" + forged + "\\r\\x1b[2K", log,
                      "the name is logged, escaped:\n" + log)
        for line in log.splitlines():
            self.assertFalse(line.startswith(forged), "forged line: %r" % line)
            self.assertNotIn("\x1b", line, "a raw escape sequence reached the log")
        self.assertEqual(len([l for l in log.splitlines() if "FORGED" in l]), 1, log)


if __name__ == "__main__":
    unittest.main()
