"""The KIP-848 consumer group protocol (group.protocol=consumer) on `sluice broker`, with
Apache Kafka's Java client (the release pinned in scripts/kafka/pom.xml) and Kafka's own
kafka-consumer-groups tool: members share a topic's partitions with each partition owned
by exactly one member, a member killed -9 loses its partitions to the others once its
session times out, every record is consumed and the committed offsets reach the end;
a classic group and a consumer group live side by side, and a classic member cannot join
a live consumer group. confluent-kafka from PyPI (librdkafka 2.16) joins as well.

java/GroupMember.java is compiled here with javac; each member is its own JVM process,
its stdout parsed into its current assignment and the records it read. The broker's
session timeout is lowered (--group-consumer-session-timeout-ms) so the kill -9 case
does not wait Kafka's default 45 s; every wait is bounded, none is asserted on."""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

import broker  # noqa: F401  (makes the Debian client packages importable)
from broker import BrokerTestCase, unique_name, wait_until
import ck_helpers
from confluent_kafka.admin import AdminClient, NewTopic

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import kafka_dist  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
VENV_PYTHON = os.path.join(REPO_ROOT, ".cache", "pyclients", "venv", "bin", "python")
PARTITIONS = 6
WAIT_S = 90

_module_dir = None
_java_cp = None


def setUpModule():
    global _module_dir, _java_cp
    _module_dir = tempfile.mkdtemp(prefix="sluice-kip848-")
    _java_cp = kafka_dist.compile_java([os.path.join(HERE, "java", "GroupMember.java")],
                                       os.path.join(_module_dir, "classes"))


def tearDownModule():
    if _module_dir:
        shutil.rmtree(_module_dir, ignore_errors=True)


class Member:
    """One GroupMember JVM; its stdout is parsed into assignments and records."""

    def __init__(self, workdir, bootstrap, topic, group, *configs):
        self.stop_file = tempfile.mktemp(prefix="stop-", dir=workdir)
        self.stderr_path = self.stop_file + ".stderr"
        self._stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(
            ["java", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
             "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
             # Each request header sent, for kafka_dist.api_versions_sent().
             "-Dlog4j2.configurationFile=" + kafka_dist.request_log_config(),
             "-cp", _java_cp, "GroupMember",
             bootstrap, topic, group, self.stop_file] + list(configs),
            stdout=subprocess.PIPE, stderr=self._stderr, text=True)
        self.lock = threading.Lock()
        self.assignment = None  # frozenset of partitions once assigned
        self.records = []       # (partition, offset, value)
        self.commits = 0
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            parts = line.split()
            with self.lock:
                if parts[:1] == ["ASSIGNED"]:
                    ids = parts[1].split(",") if len(parts) > 1 else []
                    self.assignment = frozenset(int(p) for p in ids if p)
                elif parts[:1] == ["RECORD"]:
                    self.records.append((int(parts[1]), int(parts[2]), parts[3]))
                elif parts[:1] == ["COMMITTED"]:
                    self.commits += 1

    def owned(self):
        with self.lock:
            return self.assignment or frozenset()

    def consumed(self):
        with self.lock:
            return list(self.records)

    def stderr(self, tail=3000):
        """The JVM's stderr: its last `tail` characters, or all of it (tail=None)."""
        with open(self.stderr_path) as f:
            text = f.read()
        return text if tail is None else text[-tail:]

    def stop(self):
        """Closes the consumer (it leaves the group) and waits for the JVM to exit."""
        open(self.stop_file, "w").close()
        try:
            return self.proc.wait(timeout=60)
        finally:
            self._close()

    def kill9(self):
        self.proc.kill()
        self.proc.wait(timeout=30)
        self._close()

    def _close(self):
        self.reader.join(timeout=30)
        self.proc.stdout.close()
        self._stderr.close()


class ConsumerGroupProtocol(BrokerTestCase):
    broker_flags = {"group_consumer_session_timeout_ms": 6000,
                    "group_consumer_heartbeat_interval_ms": 500,
                    "group_initial_rebalance_delay_ms": 0}

    def setUp(self):
        super().setUp()
        self.members = []
        self.addCleanup(self._stop_members)

    def _stop_members(self):
        for m in self.members:
            if m.proc.poll() is None:
                m.kill9()

    def create_topic(self, partitions=PARTITIONS):
        topic = unique_name("kip848")
        admin = AdminClient({"bootstrap.servers": self.broker.bootstrap,
                             "broker.address.family": "v4"})
        admin.create_topics([NewTopic(topic, partitions, 1)])[topic].result(30)
        return topic

    def produce(self, topic, values):
        # Round-robin by explicit partition: keyless records go through librdkafka's sticky
        # partitioner, which can leave a partition empty, and an empty partition gets no
        # committed offset for the tests to find (seen in CI: 4 of 6 rows).
        p = ck_helpers.producer(self.broker.bootstrap)
        deliveries = ck_helpers.produce_all(
            p, topic, [{"value": v, "partition": i % PARTITIONS} for i, v in enumerate(values)])
        self.assertTrue(all(d.error is None for d in deliveries), deliveries[:3])

    def member(self, topic, group, *configs):
        m = Member(self._tmp.name, self.broker.bootstrap, topic, group, *configs)
        self.members.append(m)
        return m

    def wait_for_partitions_shared(self, members, what):
        def shared():
            owned = [m.owned() for m in members]
            union = frozenset().union(*owned)
            return union == frozenset(range(PARTITIONS)) and \
                sum(len(o) for o in owned) == PARTITIONS and all(owned)
        wait_until(shared, WAIT_S, interval=0.2, message=what + ": " + ", ".join(
            "%s" % sorted(m.owned()) for m in members))

    def wait_for_values(self, members, values):
        def all_seen():
            seen = {r[2] for m in members for r in m.consumed()}
            return set(values) <= seen
        wait_until(all_seen, WAIT_S, interval=0.2, message="every produced record consumed")

    def tool(self, *args):
        r = kafka_dist.run_tool("kafka-consumer-groups", "--bootstrap-server",
                                self.broker.bootstrap, *args)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr + self.broker_log())
        return r.stdout

    def fully_committed(self, group):
        """Whether every partition's committed offset is its log end offset."""
        out = self.tool("--describe", "--group", group, "--offsets")
        # GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ...
        rows = [line.split() for line in out.splitlines() if line.startswith(group)]
        return len(rows) == PARTITIONS and all(row[3] == row[4] for row in rows)

    def test_members_share_partitions_survive_a_kill9_and_commit_everything(self):
        topic, group = self.create_topic(), unique_name("g848")
        members = [self.member(topic, group, "group.protocol=consumer") for _ in range(3)]
        self.wait_for_partitions_shared(members, "three members share six partitions")
        first = ["a%d" % i for i in range(300)]
        self.produce(topic, first)
        self.wait_for_values(members, first)

        out = self.tool("--describe", "--group", group, "--members")
        self.assertEqual(sum(1 for line in out.splitlines() if line.startswith(group)), 3, out)
        out = self.tool("--describe", "--group", group, "--state")
        self.assertIn("uniform", out)

        victim, survivors = members[0], members[1:]
        victim.kill9()
        self.wait_for_partitions_shared(survivors, "the killed member's partitions move")
        second = ["b%d" % i for i in range(300)]
        self.produce(topic, second)
        self.wait_for_values(survivors, second)
        for m in survivors:
            self.assertEqual(m.stop(), 0, m.stderr())

        # Every record was read at least once; the committed offsets reach each end.
        seen = {r[2] for m in members for r in m.consumed()}
        self.assertLessEqual(set(first + second), seen)
        out = self.tool("--describe", "--group", group, "--offsets")
        rows = [line.split() for line in out.splitlines() if line.startswith(group)]
        self.assertEqual(len(rows), PARTITIONS, out)
        for row in rows:  # GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ...
            self.assertEqual(row[3], row[4], out)
            self.assertEqual(row[5], "0", out)

    def test_range_assignor_and_describe_show_the_assignment(self):
        topic, group = self.create_topic(), unique_name("g848r")
        members = [self.member(topic, group, "group.protocol=consumer",
                               "group.remote.assignor=range") for _ in range(2)]
        self.wait_for_partitions_shared(members, "two members share six partitions")
        for m in members:  # range: contiguous halves
            self.assertIn(sorted(m.owned()), ([0, 1, 2], [3, 4, 5]))
        out = self.tool("--describe", "--group", group, "--members", "--verbose")
        rows = [line for line in out.splitlines() if line.startswith(group)]
        self.assertEqual(len(rows), 2, out)
        self.assertIn("%s:0,1,2" % topic, out)
        self.assertIn("%s:3,4,5" % topic, out)
        out = self.tool("--describe", "--group", group, "--state")
        self.assertIn("range", out)
        out = self.tool("--list")
        self.assertIn(group, out)

    def test_classic_and_consumer_groups_coexist(self):
        topic = self.create_topic()
        new_group, classic_group = unique_name("g848n"), unique_name("g848c")
        new = self.member(topic, new_group, "group.protocol=consumer")
        classic = self.member(topic, classic_group, "group.protocol=classic")
        values = ["c%d" % i for i in range(100)]
        self.produce(topic, values)
        self.wait_for_values([new], values)
        self.wait_for_values([classic], values)
        self.assertEqual(new.owned(), frozenset(range(PARTITIONS)))
        self.assertEqual(classic.owned(), frozenset(range(PARTITIONS)))
        # A classic member cannot join the live consumer group.
        intruder = self.member(topic, new_group, "group.protocol=classic")
        intruder.proc.wait(timeout=WAIT_S)
        intruder._close()
        self.assertEqual(intruder.proc.returncode, 2)
        self.assertIn("InconsistentGroupProtocolException", intruder.stderr())
        out = self.tool("--describe", "--group", classic_group, "--state")
        self.assertIn("Stable", out)
        out = self.tool("--describe", "--group", new_group, "--state")
        self.assertIn("Stable", out)
        for m in (new, classic):
            self.assertEqual(m.stop(), 0, m.stderr())

    def test_committed_offsets_survive_a_broker_restart(self):
        topic, group = self.create_topic(), unique_name("g848s")
        m = self.member(topic, group, "group.protocol=consumer")
        values = ["r%d" % i for i in range(60)]
        self.produce(topic, values)
        self.wait_for_values([m], values)
        wait_until(lambda: self.fully_committed(group), WAIT_S, interval=1.0,
                   message="committed offsets at the log end")
        self.broker.restart()
        # The member's next heartbeat is unknown to the restarted broker: it rejoins.
        more = ["s%d" % i for i in range(60)]
        self.produce(topic, more)
        self.wait_for_values([m], more)
        # A commit racing the rejoin is refused (UNKNOWN_MEMBER_ID: membership is not kept
        # across restarts); the member reads those records again and commits them then.
        wait_until(lambda: self.fully_committed(group), WAIT_S, interval=1.0,
                   message="committed offsets at the log end after the restart")
        self.assertEqual(m.stop(), 0, m.stderr())
        # Nothing from before the restart was read twice from the start.
        firsts = [r for r in m.consumed() if r[2] == "r0"]
        self.assertEqual(len(firsts), 1, firsts)
        # The KIP-848 consumer names topics by id where it can: OffsetCommit and
        # OffsetFetch v10, the versions the classic consumer never sends. Where it
        # cannot yet (a commit while the broker restarts, before the topic's id is
        # known again: seen under ASan's slowness) it commits by name, v9.
        sent = kafka_dist.api_versions_sent(m.stderr(tail=None))
        self.assertIn(10, sent.get("OFFSET_COMMIT", set()), sent)
        self.assertLessEqual(sent["OFFSET_COMMIT"], {9, 10}, sent)
        self.assertEqual((sent.get("OFFSET_FETCH"), sent.get("CONSUMER_GROUP_HEARTBEAT")), ({10}, {1}), sent)

    @unittest.skipUnless(os.path.exists(VENV_PYTHON), "no PyPI client venv "
                         "(scripts/install-py-clients.sh)")
    def test_confluent_kafka_from_pypi_joins_with_group_protocol_consumer(self):
        topic, group = self.create_topic(), unique_name("g848ck")
        self.produce(topic, ["p%d" % i for i in range(50)])
        script = r"""
import sys, time
from confluent_kafka import Consumer
c = Consumer({"bootstrap.servers": sys.argv[1], "group.id": sys.argv[3],
              "group.protocol": "consumer", "auto.offset.reset": "earliest",
              "enable.auto.commit": False, "broker.address.family": "v4"})
c.subscribe([sys.argv[2]])
seen, deadline = set(), time.monotonic() + 60
while len(seen) < 50 and time.monotonic() < deadline:
    m = c.poll(0.5)
    if m is not None and not m.error():
        seen.add(m.value())
c.commit(asynchronous=False)
c.close()
print(len(seen))
"""
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        r = subprocess.run([VENV_PYTHON, "-c", script, self.broker.bootstrap, topic, group],
                           capture_output=True, text=True, timeout=120, env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr + self.broker_log())
        self.assertEqual(r.stdout.strip().splitlines()[-1], "50", r.stderr)


if __name__ == "__main__":
    unittest.main()
