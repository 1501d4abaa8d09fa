"""10,000 partitions under a limit of 1,024 open files (issue 16).

Every partition used to hold its segment and both indexes open, so the broker
failed at about 340 partitions under this common limit. Now the files are opened
on demand through a bounded cache (--max-open-segment-files, by default half the
limit): the broker creates 100 topics of 100 partitions, takes a record on each,
serves them all back, restarts (recovering every partition under the same limit)
and serves them again, while /proc/PID/fd stays below the limit throughout.

The limit is set hard as well as soft (prlimit --nofile=1024:1024), so a broker
that raises its soft limit to the hard one at start gains nothing from that.
"""

import os
import stat
import threading
import time
import unittest

import broker  # noqa: F401  (makes the Debian client packages importable)
from broker import BrokerProcess, sluice_bin, unique_name
import ck_helpers

from confluent_kafka import KafkaError, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

NOFILE = 1024
TOPICS = 100
PARTITIONS = 100


def open_descriptors(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return 0


class DescriptorWatch:
    """Samples the broker's open descriptors in the background; keeps the peak."""

    def __init__(self, broker_process):
        self._broker = broker_process
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(0.05):
            pid = self._broker.pid
            if pid and self._broker.is_running():
                self.peak = max(self.peak, open_descriptors(pid))

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=5)


def value_of(topic, partition, round_):
    return ("%s/%d/%d" % (topic, partition, round_)).encode()


class TenThousandPartitionsUnderADescriptorLimit(unittest.TestCase):
    def setUp(self):
        self.broker = BrokerProcess(start=False, flush="500ms")
        # Start the real binary through prlimit (exec'ed, so the pid stays the broker's).
        wrapper = os.path.join(self.broker.tmpdir, "sluice-limited")
        with open(wrapper, "w") as f:
            f.write('#!/bin/sh\nexec prlimit --nofile=%d:%d -- "%s" "$@"\n'
                    % (NOFILE, NOFILE, sluice_bin()))
        os.chmod(wrapper, os.stat(wrapper).st_mode | stat.S_IXUSR)
        self._saved_bin = os.environ.get("SLUICE_BIN")
        os.environ["SLUICE_BIN"] = wrapper
        self.addCleanup(self._restore_bin)
        # Recovering 10,000 partitions before the ready line takes longer than the
        # usual start on a loaded machine.
        saved_timeout = broker.START_TIMEOUT_S
        broker.START_TIMEOUT_S = 180.0
        self.addCleanup(setattr, broker, "START_TIMEOUT_S", saved_timeout)
        self.addCleanup(self.broker.close)
        self.broker.start()
        self.watch = DescriptorWatch(self.broker)
        self.addCleanup(self.watch.stop)

    def _restore_bin(self):
        if self._saved_bin is None:
            os.environ.pop("SLUICE_BIN", None)
        else:
            os.environ["SLUICE_BIN"] = self._saved_bin

    def assert_limit_applied(self):
        with open("/proc/%d/limits" % self.broker.pid) as f:
            line = next(l for l in f if l.startswith("Max open files"))
        self.assertEqual(line.split()[3:5], [str(NOFILE), str(NOFILE)], line)

    def create_topics(self, names):
        admin = AdminClient({"bootstrap.servers": self.broker.bootstrap,
                             "broker.address.family": "v4"})
        for i in range(0, len(names), 20):
            futures = admin.create_topics([NewTopic(n, PARTITIONS, 1) for n in names[i:i + 20]],
                                          request_timeout=120)
            for name, fut in futures.items():
                fut.result(timeout=180)

    def produce_round(self, names, round_):
        p = ck_helpers.producer(self.broker.bootstrap, **{"linger.ms": 50,
                                                          "queue.buffering.max.messages": 200000})
        failures = []

        def on_delivery(err, msg):
            if err is not None:
                failures.append((msg.topic(), msg.partition(), err))

        for name in names:
            for part in range(PARTITIONS):
                p.produce(name, value=value_of(name, part, round_), partition=part,
                          on_delivery=on_delivery)
            p.poll(0)
        remaining = p.flush(300)
        self.assertEqual(remaining, 0, "messages still undelivered")
        self.assertEqual(failures[:5], [], "%d deliveries failed" % len(failures))

    def read_all(self, names, rounds):
        """Reads every partition from the start; expects `rounds` records on each, in order."""
        c = ck_helpers.consumer(self.broker.bootstrap, **{"group.id": unique_name("g"),
                                                          "enable.partition.eof": False})
        try:
            c.assign([TopicPartition(n, part, 0) for n in names for part in range(PARTITIONS)])
            seen = {}
            expected = len(names) * PARTITIONS * rounds
            total = 0
            deadline = time.monotonic() + 300
            while total < expected and time.monotonic() < deadline:
                for msg in c.consume(num_messages=10000, timeout=1.0):
                    if msg.error():
                        self.assertEqual(msg.error().code(), KafkaError._PARTITION_EOF,
                                         str(msg.error()))
                        continue
                    key = (msg.topic(), msg.partition())
                    got = seen.setdefault(key, [])
                    self.assertEqual(msg.offset(), len(got), "offsets continue in %r" % (key,))
                    got.append(msg.value())
                    total += 1
            self.assertEqual(total, expected, "records read back")
            for name in names:
                for part in range(PARTITIONS):
                    self.assertEqual(seen[(name, part)],
                                     [value_of(name, part, r) for r in range(rounds)])
        finally:
            c.close()

    def assert_descriptors_bounded(self):
        self.assertGreater(self.watch.peak, 0, "the watch sampled the broker")
        self.assertLess(self.watch.peak, NOFILE, "open descriptors stay below the limit")
        log = self.broker.stderr_tail(2000)
        self.assertNotIn("Too many open files", log)

    def test_ten_thousand_partitions_take_records_serve_them_and_recover(self):
        self.assert_limit_applied()
        names = ["many-%03d" % i for i in range(TOPICS)]
        self.create_topics(names)
        self.produce_round(names, 0)
        self.read_all(names, 1)
        self.assert_descriptors_bounded()

        self.broker.stop()
        self.broker.start()
        self.assert_limit_applied()
        self.read_all(names, 1)
        # Appends continue on recovered partitions whose active segments reopen on demand.
        self.produce_round(names, 1)
        self.read_all(names, 2)
        self.assert_descriptors_bounded()
        print("peak open descriptors: %d (limit %d)" % (self.watch.peak, NOFILE))


if __name__ == "__main__":
    unittest.main()
