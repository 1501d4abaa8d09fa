"""Consumer groups and idempotent producers on the built-in broker, driven by
real clients: librdkafka high-level consumers in separate processes
(tests/tools/group_consumer), confluent_kafka, kafka-python and kcat -G."""

import os
import signal
import subprocess
import threading
import time
import unittest

import broker
from broker import BrokerProcess, unique_name, wait_until
import ck_helpers
from confluent_kafka import Consumer, Producer

GROUP_CONSUMER = os.environ.get("SLUICE_GROUP_CONSUMER") or os.path.join(
    broker.REPO_ROOT, "build", "tests", "group_consumer")


class ConsumerProcess:
    """One group_consumer child; its stdout is parsed into assignments and messages."""

    def __init__(self, bootstrap, group, topic, assignor, instance_id=None):
        args = [GROUP_CONSUMER, bootstrap, group, topic, assignor] + ([instance_id] if instance_id else [])
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.assignments = []  # each a frozenset of partitions, in order
        self.messages = []     # (partition, offset, value)
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            parts = line.split()
            with self.lock:
                if parts[:1] == ["assigned"]:
                    ids = parts[1].split(",") if len(parts) > 1 else []
                    self.assignments.append(frozenset(int(p) for p in ids if p))
                elif parts[:1] == ["msg"]:
                    self.messages.append((int(parts[1]), int(parts[2]), parts[3] if len(parts) > 3 else ""))

    def assignment(self):
        with self.lock:
            return self.assignments[-1] if self.assignments else frozenset()

    def consumed(self):
        with self.lock:
            return list(self.messages)

    def terminate(self):
        self.proc.send_signal(signal.SIGTERM)
        self._reap()

    def kill9(self):
        self.proc.kill()
        self._reap()

    def _reap(self):
        self.proc.wait(timeout=30)
        self.reader.join(timeout=10)
        self.proc.stdout.close()


def produce_values(bootstrap, topic, values, **overrides):
    p = ck_helpers.producer(bootstrap, **overrides)
    deliveries = ck_helpers.produce_all(p, topic, [{"value": v.encode()} for v in values])
    for d in deliveries:
        assert d.error is None, d.error
    return deliveries


class GroupTestCase(unittest.TestCase):
    PARTITIONS = 6

    def setUp(self):
        self.broker = BrokerProcess(default_partitions=self.PARTITIONS, group_initial_rebalance_delay_ms=200)
        self.consumers = []

    def tearDown(self):
        for c in self.consumers:
            if c.proc.poll() is None:
                c.kill9()
        if self.broker.unexpected_exit() is not None:
            print(self.broker.stderr_tail())
        self.broker.stop()

    def start_consumer(self, group, topic, assignor="range", instance_id=None):
        c = ConsumerProcess(self.broker.bootstrap, group, topic, assignor, instance_id)
        self.consumers.append(c)
        return c

    def all_consumed(self):
        return [m for c in self.consumers for m in c.consumed()]

    def wait_consumed(self, count, timeout=60):
        wait_until(lambda: len(self.all_consumed()) >= count, timeout, 0.1,
                   "%d messages consumed (have %d)" % (count, len(self.all_consumed())))

    def wait_assignments_cover(self, live, timeout=60):
        def covered():
            sets = [c.assignment() for c in live]
            union = frozenset().union(*sets)
            disjoint = sum(len(s) for s in sets) == len(union)
            return union == frozenset(range(self.PARTITIONS)) and disjoint and all(sets)
        wait_until(covered, timeout, 0.1, "assignments %r cover every partition once" %
                   [sorted(c.assignment()) for c in live])


class ThreeConsumersTest(GroupTestCase):
    """Three members; one leaves cleanly, one is killed and expires; partitions
    move to the survivors, and every message is consumed exactly once."""

    def run_scenario(self, assignor):
        topic, group = unique_name("grp"), unique_name("g")
        produce_values(self.broker.bootstrap, topic, ["warmup"])  # creates the topic
        a, b, c = (self.start_consumer(group, topic, assignor) for _ in range(3))
        self.wait_assignments_cover([a, b, c])
        sent = ["first-%d" % i for i in range(600)]
        produce_values(self.broker.bootstrap, topic, sent)
        self.wait_consumed(601)

        a.terminate()  # commits, leaves the group: a rebalance follows at once
        self.wait_assignments_cover([b, c])
        second = ["second-%d" % i for i in range(600)]
        produce_values(self.broker.bootstrap, topic, second)
        self.wait_consumed(1201)

        b.kill9()  # no LeaveGroup: the coordinator must expire it (session 6 s)
        wait_until(lambda: c.assignment() == frozenset(range(self.PARTITIONS)), 60, 0.2,
                   "survivor owns every partition (has %r)" % sorted(c.assignment()))
        third = ["third-%d" % i for i in range(600)]
        produce_values(self.broker.bootstrap, topic, third)
        self.wait_consumed(1801)

        values = [m[2] for m in self.all_consumed()]
        self.assertEqual(len(values), len(set(values)), "a message was consumed twice")
        self.assertEqual(set(values), set(["warmup"] + sent + second + third))

    def test_range_assignor(self):
        self.run_scenario("range")

    def test_roundrobin_assignor(self):
        self.run_scenario("roundrobin")

    def test_cooperative_sticky_assignor(self):
        self.run_scenario("cooperative-sticky")


class StaticMembershipTest(GroupTestCase):

    def test_a_static_member_that_restarts_within_its_session_rejoins_without_a_rebalance(self):
        topic, group = unique_name("static"), unique_name("g")
        produce_values(self.broker.bootstrap, topic, ["x"])
        leader = self.start_consumer(group, topic, "range", "instance-a")
        wait_until(lambda: leader.assignment(), 30, 0.1, "first member assigned")
        follower = self.start_consumer(group, topic, "range", "instance-b")
        self.wait_assignments_cover([leader, follower])
        before = follower.assignment()
        leader_rebalances = len(leader.assignments)

        follower.kill9()
        again = self.start_consumer(group, topic, "range", "instance-b")
        wait_until(lambda: again.assignment(), 30, 0.1, "restarted static member assigned")
        self.assertEqual(again.assignment(), before, "the static member kept its partitions")
        time.sleep(1.5)  # a rebalance, had there been one, would reach the leader by now
        self.assertEqual(len(leader.assignments), leader_rebalances, "the other member saw a rebalance")


class ConfluentKafkaGroupTest(GroupTestCase):

    def test_committed_offsets_hold_across_consumers_and_a_broker_restart(self):
        topic, group = unique_name("ckg"), unique_name("g")
        values = ["v-%d" % i for i in range(1000)]
        produce_values(self.broker.bootstrap, topic, values)

        def consume(n):
            c = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": group,
                          "enable.auto.commit": False, "auto.offset.reset": "earliest",
                          "session.timeout.ms": 6000, "reconnect.backoff.ms": 50})
            c.subscribe([topic])
            got = []
            deadline = time.monotonic() + 60
            while len(got) < n and time.monotonic() < deadline:
                m = c.poll(0.5)
                if m is None or m.error():
                    continue
                got.append(m.value().decode())
                c.commit(message=m, asynchronous=False)
            c.close()
            return got

        first = consume(400)
        self.broker.stop()
        self.broker.start()
        rest = consume(600)
        self.assertEqual(len(first), 400)
        self.assertEqual(sorted(first + rest), sorted(values), "committed offsets did not hold")


class KafkaPythonGroupTest(GroupTestCase):

    def test_kafka_python_group_consumer_reads_everything_once_and_commits(self):
        from kafka import KafkaConsumer
        topic, group = unique_name("kpg"), unique_name("g")
        values = ["kp-%d" % i for i in range(500)]
        produce_values(self.broker.bootstrap, topic, values)

        def run():
            c = KafkaConsumer(topic, bootstrap_servers=self.broker.bootstrap, group_id=group,
                              enable_auto_commit=False, auto_offset_reset="earliest",
                              consumer_timeout_ms=3000, session_timeout_ms=6000,
                              heartbeat_interval_ms=1000)
            got = [m.value.decode() for m in c]
            c.commit()
            c.close()
            return got

        self.assertEqual(sorted(run()), sorted(values))
        self.assertEqual(run(), [], "a second run of the group re-read committed messages")


class KcatGroupTest(GroupTestCase):

    def test_kcat_balanced_consumer_commits_and_resumes(self):
        topic, group = unique_name("kcg"), unique_name("g")
        produce_values(self.broker.bootstrap, topic, ["a-%d" % i for i in range(50)])
        cmd = ["kcat", "-b", self.broker.bootstrap, "-G", group, "-X", "auto.offset.reset=earliest",
               "-e", "-f", "%s\n", topic]
        first = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        self.assertEqual(sorted(first.stdout.split()), sorted("a-%d" % i for i in range(50)), first.stderr)
        produce_values(self.broker.bootstrap, topic, ["b-%d" % i for i in range(10)])
        second = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        self.assertEqual(sorted(second.stdout.split()), sorted("b-%d" % i for i in range(10)), second.stderr)


class IdempotentProducerTest(GroupTestCase):

    def test_retries_across_a_broker_kill_leave_no_duplicates(self):
        topic = unique_name("idem")
        n = 30000
        p = Producer({"bootstrap.servers": self.broker.bootstrap, "enable.idempotence": True,
                      "acks": "all", "linger.ms": 5, "message.timeout.ms": 120000,
                      "reconnect.backoff.ms": 50, "reconnect.backoff.max.ms": 200})
        acked = []
        errors = []

        def on_delivery(err, msg):
            (errors if err else acked).append(msg.value())

        def crash_and_restart():
            wait_until(lambda: len(acked) > 5000, 60, 0.01, "5000 acks")
            self.broker.kill9()
            time.sleep(0.5)
            self.broker.start()

        crasher = threading.Thread(target=crash_and_restart)
        crasher.start()
        for i in range(n):
            while True:
                try:
                    p.produce(topic, value=b"m-%d" % i, partition=i % self.PARTITIONS, on_delivery=on_delivery)
                    break
                except BufferError:
                    p.poll(0.05)
            p.poll(0)
        crasher.join()
        self.assertEqual(p.flush(120), 0)
        self.assertEqual(errors, [])
        self.assertEqual(len(acked), n)
        got, _ = ck_helpers.consume_partitions(self.broker.bootstrap, topic, list(range(self.PARTITIONS)))
        values = [r.value for recs in got.values() for r in recs]
        self.assertEqual(len(values), n, "duplicates or losses: %d stored for %d sent" % (len(values), n))
        self.assertEqual(len(set(values)), n)


if __name__ == "__main__":
    unittest.main()
