"""Log compaction (cleanup.policy=compact) seen from a real client (confluent_kafka /
librdkafka) against `sluice broker`, with Kafka's semantics: the latest record of every
key stays at the offset it was produced at, overwritten values go, tombstones delete
their key and go themselves after delete.retention.ms, compact+delete also applies
retention, a record without a key is refused, readers keep reading while the cleaner
works, and a kill -9 of the broker in the middle of replacing segments leaves a whole
log. Every record read is checked against what was produced at its offset.
docs/broker.md "Log compaction" describes the cleaner."""

import re
import threading
import time
import unittest

import broker  # noqa: F401  (makes the Debian client packages importable)
from broker import BrokerTestCase, unique_name, wait_until
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

TIMEOUT_S = 60
KEYS = 20
CLEANED = re.compile(r"compacted \d+ segment\(s\) into \d+ below offset (\d+)")

# segment.bytes at Kafka's floor for a topic here: many small segments to clean.
COMPACTED = {"cleanup.policy": "compact", "segment.bytes": "1024",
             "min.cleanable.dirty.ratio": "0.01"}


class CompactionTestCase(BrokerTestCase):
    broker_flags = {"log_cleaner_backoff_ms": 100, "retention_check_interval_ms": 200}

    def create(self, topic, config):
        admin = AdminClient({"bootstrap.servers": self.broker.bootstrap,
                             "broker.address.family": "v4"})
        admin.create_topics([NewTopic(topic, 1, 1, config=config)])[topic].result(timeout=TIMEOUT_S)

    def produce(self, topic, records):
        """Produces (key, value) pairs in order; returns {offset: (key, value)}."""
        acked, errors = {}, []

        def on_delivery(err, msg):
            if err:
                errors.append(err)
            else:
                acked[msg.offset()] = (msg.key(), msg.value())

        p = Producer({"bootstrap.servers": self.broker.bootstrap, "broker.address.family": "v4",
                      "linger.ms": 0, "batch.num.messages": 1, "enable.idempotence": True})
        for key, value in records:
            p.produce(topic, key=key, value=value, on_delivery=on_delivery)
            p.poll(0)
        p.flush(TIMEOUT_S)
        self.assertEqual(errors, [])
        self.assertEqual(len(acked), len(records))
        return acked

    def read_all(self, topic):
        """Every record from the earliest offset to the end: [(offset, key, value)]."""
        c = Consumer({"bootstrap.servers": self.broker.bootstrap, "broker.address.family": "v4",
                      "group.id": unique_name("g"), "enable.auto.commit": False,
                      "enable.partition.eof": True})
        try:
            tp = TopicPartition(topic, 0)
            low, high = c.get_watermark_offsets(tp, timeout=TIMEOUT_S)
            c.assign([TopicPartition(topic, 0, low)])
            out = []
            deadline = time.monotonic() + TIMEOUT_S
            while time.monotonic() < deadline:
                m = c.poll(1.0)
                if m is None:
                    continue
                if m.error():
                    if m.error().code() == KafkaError._PARTITION_EOF:
                        return out
                    raise KafkaException(m.error())
                out.append((m.offset(), m.key(), m.value()))
            self.fail("did not reach the end of %s (high watermark %d)%s"
                      % (topic, high, self.broker_log()))
        finally:
            c.close()

    def cleaned_ends(self):
        """The `below offset` of every pass the broker logged so far."""
        return [int(m.group(1)) for m in CLEANED.finditer(self.broker.stderr_tail(100000))]

    def wait_for_pass(self, beyond=0):
        """The end of the first logged pass that compacted past offset `beyond`."""
        wait_until(lambda: any(e > beyond for e in self.cleaned_ends()), TIMEOUT_S,
                   message="a compaction pass past offset %d" % beyond)
        return max(self.cleaned_ends())

    def assert_compacted(self, read, produced, cleaned_end, tombstones_kept=True):
        """`read` (from the earliest offset to the end) is what a log compacted below
        `cleaned_end` may hold, whatever passes ran meanwhile: records exactly as
        produced at their offsets, in order; the latest record of every key; and below
        `cleaned_end` no key twice."""
        offsets = [r[0] for r in read]
        self.assertEqual(offsets, sorted(set(offsets)), "offsets in order, each once")
        for offset, key, value in read:
            self.assertEqual((key, value), produced[offset], "offset %d" % offset)
        latest = {}
        for offset in sorted(produced):
            latest[produced[offset][0]] = offset
        must = {o for o in latest.values() if tombstones_kept or produced[o][1] is not None}
        self.assertEqual(must - set(offsets), set(), "the latest record of every key is kept")
        below = [key for offset, key, _ in read if offset < cleaned_end]
        self.assertEqual(len(below), len(set(below)), "one record per key below the cleaned end")


def rounds(n, keys=KEYS, tag=""):
    return [(b"key-%d" % k, b"%sround-%d" % (tag.encode(), r)) for r in range(n) for k in range(keys)]


class LatestValuePerKey(CompactionTestCase):
    def test_keeps_the_latest_value_of_each_key_at_its_offset(self):
        topic = unique_name("compact")
        self.create(topic, COMPACTED)
        produced = self.produce(topic, rounds(30))
        end = self.wait_for_pass(beyond=KEYS)
        read = self.read_all(topic)
        self.assert_compacted(read, produced, end)
        self.assertLess(len(read), len(produced))

    def test_readers_keep_reading_while_the_cleaner_works(self):
        topic = unique_name("compact-readers")
        self.create(topic, COMPACTED)
        produced = {}
        problems = []
        done = threading.Event()

        def reader():
            # Reads the log end to end over and over: offsets must increase and every
            # record must be the one produced at its offset.
            while not done.is_set():
                try:
                    read = self.read_all(topic)
                except Exception as e:  # noqa: BLE001  (reported below)
                    problems.append(repr(e))
                    return
                offsets = [r[0] for r in read]
                if offsets != sorted(set(offsets)):
                    problems.append("offsets out of order: %r" % offsets[:50])
                for offset, key, value in read:
                    if offset in produced and produced[offset] != (key, value):
                        problems.append("offset %d read %r, produced %r"
                                        % (offset, (key, value), produced[offset]))

        t = threading.Thread(target=reader)
        t.start()
        try:
            for batch in range(6):
                # The mark before producing: passes run while a batch is produced (all the
                # more under ASan), and the last one may already reach the active segment,
                # past which no pass can go until more records seal it.
                before = max(self.cleaned_ends(), default=0)
                produced.update(self.produce(topic, rounds(10, tag="b%d-" % batch)))
                self.wait_for_pass(beyond=before)
        finally:
            done.set()
            t.join(timeout=TIMEOUT_S)
        self.assertEqual(problems, [])
        # The cleaned end is taken before the read: a pass that ends after the read
        # began may leave keys twice below its end in what the read saw.
        end = max(self.cleaned_ends())
        self.assert_compacted(self.read_all(topic), produced, end)


class Tombstones(CompactionTestCase):
    def produce_with_tombstone(self, topic):
        """Ten rounds, a tombstone for key-3, then enough filler to seal its segment.
        Returns (produced, the tombstone's offset)."""
        records = rounds(10) + [(b"key-3", None)]
        records += [(b"other-%d" % (i % 5), b"filler-%d" % i) for i in range(200)]
        produced = self.produce(topic, records)
        return produced, max(o for o, (k, v) in produced.items() if k == b"key-3")

    def test_a_tombstone_deletes_its_key_and_stays_for_delete_retention_ms(self):
        topic = unique_name("tombstone-kept")
        self.create(topic, dict(COMPACTED, **{"delete.retention.ms": "86400000"}))
        produced, tombstone = self.produce_with_tombstone(topic)
        end = self.wait_for_pass(beyond=tombstone)
        read = self.read_all(topic)
        self.assert_compacted(read, produced, end)
        self.assertEqual([r for r in read if r[1] == b"key-3"],
                         [(o, k, v) for o, (k, v) in produced.items() if k == b"key-3" and v is None],
                         "only the tombstone of key-3 is left")

    def test_a_tombstone_older_than_delete_retention_ms_goes_too(self):
        topic = unique_name("tombstone-gone")
        self.create(topic, dict(COMPACTED, **{"delete.retention.ms": "0"}))
        produced, tombstone = self.produce_with_tombstone(topic)
        end = self.wait_for_pass(beyond=tombstone)
        # Dropped by the pass that compacted past it, or the next one (the segment's
        # last write must lie strictly before the pass's clock).
        wait_until(lambda: not [r for r in self.read_all(topic) if r[1] == b"key-3"], TIMEOUT_S,
                   message="key-3 gone")
        self.assert_compacted(self.read_all(topic), produced, end, tombstones_kept=False)


class Policies(CompactionTestCase):
    def test_a_record_without_a_key_is_refused(self):
        topic = unique_name("compact-keyless")
        self.create(topic, COMPACTED)
        errors = []
        p = Producer({"bootstrap.servers": self.broker.bootstrap, "broker.address.family": "v4",
                      "message.timeout.ms": 10000, "retries": 0})
        p.produce(topic, value=b"no key", on_delivery=lambda err, msg: errors.append(err))
        p.flush(TIMEOUT_S)
        self.assertEqual(len(errors), 1)
        self.assertIsNotNone(errors[0])
        self.assertEqual(errors[0].code(), KafkaError.INVALID_RECORD, errors[0])
        self.assertIn("without a key", self.broker.stderr_tail(400) + errors[0].str())

    def test_compact_alone_ignores_retention_but_compact_delete_applies_it(self):
        compact_only = unique_name("compact-only")
        both = unique_name("compact-delete")
        old = {"retention.ms": "1000"}
        self.create(compact_only, dict(COMPACTED, **old))
        self.create(both, dict(COMPACTED, **old, **{"cleanup.policy": "compact,delete"}))
        for topic in (compact_only, both):
            self.produce(topic, rounds(10))
        time.sleep(1.5)
        for topic in (compact_only, both):
            self.produce(topic, [(b"late", b"roll")])

        def earliest(topic):
            c = Consumer({"bootstrap.servers": self.broker.bootstrap,
                          "broker.address.family": "v4", "group.id": unique_name("g")})
            try:
                return c.get_watermark_offsets(TopicPartition(topic, 0), timeout=TIMEOUT_S)[0]
            finally:
                c.close()

        wait_until(lambda: earliest(both) > 0, TIMEOUT_S, message="retention on compact,delete")
        self.assertEqual(earliest(compact_only), 0)
        self.assertTrue(any(r[1] == b"key-0" for r in self.read_all(compact_only)),
                        "compact alone keeps each key's latest record however old")


class KillDuringASwap(CompactionTestCase):
    """SLUICE_CRASH_AT kills the broker (SIGKILL) at a step of a segment swap; after a
    restart the log is whole, compacted or not, and the next pass completes."""

    # The cleaner sleeps while the data is produced, then the restarted broker's
    # first pass dies at the crash point.
    broker_flags = dict(CompactionTestCase.broker_flags, log_cleaner_backoff_ms=3_600_000)

    def crash_and_recover(self, point):
        topic = unique_name("compact-crash")
        self.create(topic, COMPACTED)
        produced = self.produce(topic, rounds(30))
        self.broker.stop()
        self.broker.env = {"SLUICE_CRASH_AT": point}
        self.broker.flags["log_cleaner_backoff_ms"] = 100
        self.broker.restart(stop_first=False)
        self.assertIsNotNone(self.broker.wait_for_crash(TIMEOUT_S),
                             "the broker did not reach %s%s" % (point, self.broker_log()))
        self.broker.env = {}
        passes_before = len(self.cleaned_ends())
        self.broker.restart(stop_first=False)
        # Whole: as produced, in order, every key's latest record there.
        self.assert_compacted(self.read_all(topic), produced, 0)
        # And the cleaner finishes the job.
        wait_until(lambda: len(self.cleaned_ends()) > passes_before, TIMEOUT_S,
                   message="a compaction pass after the restart")
        end = self.cleaned_ends()[-1]  # before the read, as in the test above
        self.assert_compacted(self.read_all(topic), produced, end)

    def test_killed_right_after_the_commit(self):
        self.crash_and_recover("cleaner.swap.committed")

    def test_killed_after_the_old_segments_went(self):
        self.crash_and_recover("cleaner.swap.old_removed")


if __name__ == "__main__":
    unittest.main()
