"""A full disk under the broker's data dir (a small tmpfs the test mounts and
fills): Produce is answered KAFKA_STORAGE_ERROR, never by closing the
connection, and librdkafka keeps retrying; OffsetCommit is answered
NOT_COORDINATOR, as Kafka answers a failed offsets-log append; everything
written before stays readable; once space returns every message is delivered
exactly once, without a broker restart. Needs root (mount); skipped otherwise."""

import errno
import os
import re
import subprocess
import unittest

import broker  # noqa: F401  (makes the Debian client packages importable)
from broker import BrokerTestCase, unique_name, wait_until
import ck_helpers
import wire
from ck_helpers import consume_partitions

from confluent_kafka import KafkaError

OFFSET_COMMIT = 8
NOT_COORDINATOR = 16
KAFKA_STORAGE_ERROR = 56
TMPFS_SIZE = "8m"
PER_PRODUCER = 60


def offset_commit_v2(port, group, topic, partition, offset, metadata):
    """A standalone commit (generation -1, no member). Returns the partition's error code."""
    body = (wire.Writer().string(group).int32(-1).string("").int64(-1)
            .array([topic], lambda w, t: (
                w.string(t),
                w.array([partition], lambda w, p: (
                    w.int32(p), w.int64(offset), w.string(metadata)))))
            .bytes())
    with wire.Connection(port, 15.0) as c:
        r = c.roundtrip(OFFSET_COMMIT, 2, 81, body)
        codes = []
        r.array(lambda r: (r.string(), r.array(lambda r: (r.int32(), codes.append(r.int16())))))
        (code,) = codes
        return code


def fill(directory):
    """Writes a file in `directory` until the filesystem is full. Returns its path."""
    path = os.path.join(directory, "filler")
    chunk = b"\0" * (64 * 1024)
    with open(path, "wb", buffering=0) as f:
        while True:
            try:
                f.write(chunk)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                break
    # Page-sized leftovers too, so even a small append finds no room.
    with open(path, "ab", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 512)
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
    return path


class DiskFull(BrokerTestCase):
    start_broker_in_setup = False

    def setUp(self):
        super().setUp()
        self.broker = broker.BrokerProcess(tmpdir=os.path.join(self._tmp.name, "b"), start=False,
                                           flush="always", admin="127.0.0.1:0")
        self.mount = self.broker.data_dir
        os.makedirs(self.mount)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE, "tmpfs",
                                  self.mount], capture_output=True, text=True)
        if mounted.returncode != 0:
            self.skipTest("cannot mount a tmpfs for the data dir (needs root): "
                          + (mounted.stderr.strip() or "mount exited %d" % mounted.returncode))
        # Cleanups run after tearDown has stopped the broker, last registered first.
        self.addCleanup(subprocess.run, ["umount", "-l", self.mount], check=False)
        self.brokers.append(self.broker)
        self.broker.start()

    def storage_errors(self, operation):
        n = self.broker.metric("sluice_broker_storage_errors_total", operation=operation)
        self.assertIsNotNone(n, "no storage-errors series for %s in /metrics" % operation)
        return n

    def stderr(self):
        with open(self.broker.stderr_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def test_full_disk_is_answered_and_survived(self):
        topic = unique_name("full")
        port = self.broker.port
        before = [b"before-%d" % i for i in range(50)]
        p = ck_helpers.producer(self.broker.bootstrap)
        ck_helpers.produce_all(p, topic, [{"value": v, "partition": 0} for v in before])
        self.assertEqual(offset_commit_v2(port, "g", topic, 0, 10, ""), 0)
        self.assertEqual(self.storage_errors("append"), 0)
        self.assertEqual(self.storage_errors("offset_commit"), 0)

        filler = fill(self.mount)
        errors = []
        producers = {
            "plain": ck_helpers.producer(self.broker.bootstrap, **{"message.timeout.ms": 120000}),
            "idempotent": ck_helpers.producer(self.broker.bootstrap, **{
                "enable.idempotence": True, "message.timeout.ms": 120000}),
        }
        delivered = {name: [] for name in producers}

        def on_delivery(name):
            def cb(err, msg):
                if err is None:
                    delivered[name].append(msg.value())
                else:
                    errors.append((name, err))
            return cb

        for name, prod in producers.items():
            for i in range(PER_PRODUCER):
                prod.produce(topic, value=b"%s-%d-" % (name.encode(), i) + b"x" * 2000,
                             partition=0, on_delivery=on_delivery(name))
            prod.poll(0)

        def refused():
            for prod in producers.values():
                prod.poll(0.1)
            return "KAFKA_STORAGE_ERROR" in self.stderr()

        wait_until(refused, 30, message="the broker to refuse an append for lack of space")
        for _ in range(20):  # a few seconds of refusals: the producers must keep retrying
            for prod in producers.values():
                prod.poll(0.1)
        self.assertEqual(
            [e for e in errors if e[1].code() != KafkaError.KAFKA_STORAGE_ERROR], [],
            "delivery failed with something other than KAFKA_STORAGE_ERROR")
        self.assertEqual(errors, [], "librdkafka retries KAFKA_STORAGE_ERROR until its timeout")
        self.assertLess(sum(len(v) for v in delivered.values()), 2 * PER_PRODUCER,
                        "the disk was full, yet everything was written")

        self.assertEqual(offset_commit_v2(port, "g", topic, 0, 20, "m" * 8000), NOT_COORDINATOR)
        self.assertEqual(wire.delete_records_v0(port, topic, {0: 1})[0], (-1, KAFKA_STORAGE_ERROR),
                         "DeleteRecords cannot record its new start offset either")
        self.assertGreater(self.storage_errors("append"), 0)
        self.assertEqual(self.storage_errors("offset_commit"), 1)

        # Everything written before the disk filled is still there.
        got, _ = consume_partitions(self.broker.bootstrap, topic, [0], timeout=60)
        values = [r.value for r in got[0]]
        self.assertEqual(values[:len(before)], before)

        os.remove(filler)
        for name, prod in producers.items():
            left = prod.flush(90)
            self.assertEqual(left, 0, "%s: %d messages undelivered after space returned"
                             % (name, left))
        self.assertEqual(errors, [])
        self.assertEqual(offset_commit_v2(port, "g", topic, 0, 30, "m" * 8000), 0)

        got, _ = consume_partitions(self.broker.bootstrap, topic, [0], timeout=60)
        values = [r.value for r in got[0]]
        self.assertEqual(values[:len(before)], before)
        for name in producers:
            mine = sorted(v for v in values if v.startswith(name.encode() + b"-"))
            expected = sorted(b"%s-%d-" % (name.encode(), i) + b"x" * 2000
                              for i in range(PER_PRODUCER))
            self.assertEqual(mine, expected, "%s: every message exactly once" % name)

        log = self.stderr()
        self.assertNotIn("closing connection", log, "a full disk must not close connections")
        partition_dir = os.path.join(self.broker.data_dir, "topics", topic, "0")
        episodes = re.findall(re.escape(partition_dir) + r": cannot append", log)
        self.assertEqual(len(episodes), 1, "one log line per partition per episode:\n" + log)
        self.assertIn(partition_dir + ": appends succeed again", log)
        self.assertIn("free space on the data dir", log)


if __name__ == "__main__":
    unittest.main()
