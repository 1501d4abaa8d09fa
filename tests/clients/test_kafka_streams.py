"""Apache Kafka Streams with processing.guarantee=exactly_once_v2 against `sluice broker`:
java/StreamsCounter.java sums and counts amounts per account (selectKey, so every record
goes through a repartition topic; a RocksDB store with a compacted changelog topic; every
update to an output topic). The application is killed -9 mid-run and restarted, once on
a wiped state dir so that it restores the store from the changelog (which the broker
compacts during the run); in another test one of two instances is killed -9 and the
other takes its tasks over; in a third the broker is killed -9 and restarted under it. Then a read_committed consumer of the output
must see, per account, exactly the updates count 1, 2, ..., n with sums that add each of
the account's amounts once: nothing lost, nothing counted twice, no aborted update seen.

Kafka Streams (kafka-streams, pinned with the client in scripts/kafka/pom.xml) uses the
transactional producer (one per stream thread, its offsets committed in the
transaction), a classic consumer group, CreateTopics with configs for its internal
topics, DeleteRecords on the repartition topic, and read_committed Fetch and OffsetFetch
(require_stable) to resume."""

import collections
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

import broker  # noqa: F401
from broker import BrokerTestCase, unique_name, wait_until

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import kafka_dist  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
N = 20000
ACCOUNTS = 50
# Each wait is bounded; none is asserted on. The last run reads the whole output
# (under a sanitizer build of the broker too, much slower).
WAIT_S = 120
READ_WAIT_S = 300
# A restarted application joins the group as a new member: the broker waits for the
# killed one's session to time out before it rebalances (Streams' default is 45 s).
# A short commit interval for the first run would make the kill land between commits
# with nothing sent; 1 s and linger.ms=0 leave records of an open transaction on the
# broker when it dies.
FAST_REJOIN = ["session.timeout.ms=6000", "heartbeat.interval.ms=1000"]
OPEN_TRANSACTIONS = ["commit.interval.ms=1000", "linger.ms=0"]
JVM = ["-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"]
_module_dir = None
_java_cp = None


def setUpModule():
    global _module_dir, _java_cp
    _module_dir = tempfile.mkdtemp(prefix="sluice-streams-")
    _java_cp = kafka_dist.compile_java([os.path.join(HERE, "java", "StreamsCounter.java")],
                                       os.path.join(_module_dir, "classes"))


def tearDownModule():
    if _module_dir:
        shutil.rmtree(_module_dir, ignore_errors=True)


def counter_command(*args):
    return ([kafka_dist.java()] + JVM + ["-Dlog4j2.configurationFile=" + kafka_dist.log_config(),
                                         "-cp", _java_cp, "StreamsCounter"]
            + [str(a) for a in args])


def expected():
    """{account: sorted amounts}: StreamsCounter.input(i) for i < N."""
    amounts = collections.defaultdict(list)
    for i in range(N):
        amounts["a%d" % ((i * 7) % ACCOUNTS)].append(i % 97 + 1)
    return {account: sorted(values) for account, values in amounts.items()}


class StreamsApp:
    """One `StreamsCounter run` process; its stdout is read by a thread that keeps the
    last PROCESSED count and the state changes."""

    def __init__(self, bootstrap, topics, app_id, state_dir, log_path, configs):
        self.processed = 0
        self.states = []
        self._finished = False
        self._log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            counter_command("run", bootstrap, topics[0], topics[1], app_id, state_dir, *configs),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            word, _, value = line.strip().partition(" ")
            if word == "PROCESSED":
                self.processed = int(value)
            elif word == "STATE":
                self.states.append(value)

    def wait_processed(self, n, log):
        wait_until(lambda: self.processed >= n or self.proc.poll() is not None, WAIT_S,
                   message="the Streams application to process %d records" % n)
        if self.proc.poll() is not None:
            raise AssertionError("the Streams application exited (code %d) after %d records, "
                                 "states %s\n%s" % (self.proc.returncode, self.processed,
                                                    self.states, log()))

    def kill9(self):
        self.proc.kill()
        self.finish()

    def stop(self):
        """SIGTERM: Streams closes (a shutdown hook); -9 if it has not in 60 s."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.finish()

    def finish(self):
        if self._finished:
            return
        self._finished = True
        self.proc.wait(timeout=60)
        self._reader.join(timeout=10)
        self.proc.stdout.close()
        self._log.close()


class KafkaStreamsExactlyOnce(BrokerTestCase):
    # The cleaner looks for a changelog partition to compact every 100 ms; /metrics
    # tells that it did.
    broker_flags = {"log_cleaner_backoff_ms": 100, "admin": "127.0.0.1:0"}

    def setUp(self):
        super().setUp()
        self.in_topic, self.out_topic = unique_name("streams-in"), unique_name("streams-out")
        self.app_id = unique_name("counter")
        self.state_dir = os.path.join(self._tmp.name, "streams-state")
        self.app_log = os.path.join(self._tmp.name, "streams.stderr.log")
        self.apps = []
        r = subprocess.run(counter_command("produce", self.broker.bootstrap, self.in_topic,
                                           self.out_topic, N, ACCOUNTS),
                           capture_output=True, text=True, timeout=WAIT_S)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr + self.broker_log())
        self.assertEqual(r.stdout.split(), ["PRODUCED", str(N)])

    def tearDown(self):
        for app in self.apps:
            app.kill9()
        super().tearDown()

    def logs(self):
        try:
            with open(self.app_log, "rb") as f:
                tail = f.read().decode("utf-8", "replace").splitlines()[-60:]
        except OSError:
            tail = ["(no application log)"]
        return ("\n--- Streams application stderr tail ---\n" + "\n".join(tail)
                + self.broker_log())

    def start_app(self, *configs, state_dir=None):
        app = StreamsApp(self.broker.bootstrap, (self.in_topic, self.out_topic), self.app_id,
                         state_dir or self.state_dir, self.app_log, FAST_REJOIN + list(configs))
        self.apps.append(app)
        return app

    def read_output(self):
        """[(partition, account, sum, count)] in the order a read_committed consumer got
        them (each partition in offset order), and how many records read_uncommitted saw."""
        r = subprocess.run(counter_command("read", self.broker.bootstrap, self.out_topic, N,
                                           READ_WAIT_S * 1000),
                           capture_output=True, text=True, timeout=2 * READ_WAIT_S)
        self.assertEqual(r.returncode, 0, r.stderr + self.logs())
        records, uncommitted = [], None
        for line in r.stdout.splitlines():
            fields = line.split()
            if fields[0] == "RECORD":
                total, count = fields[3].split(":")
                records.append((int(fields[1]), fields[2], int(total), int(count)))
            elif fields[0] == "READ_UNCOMMITTED":
                uncommitted = int(fields[1])
        return records, uncommitted

    def assert_exactly_once(self, records):
        """Per account, the committed updates are count 1..n in order, each adding one
        amount; the amounts added are exactly the account's input amounts."""
        want = expected()
        by_account = collections.defaultdict(list)
        partition_of = {}
        for partition, account, total, count in records:
            by_account[account].append((total, count))
            self.assertEqual(partition_of.setdefault(account, partition), partition,
                             "account %s's updates are in one output partition" % account)
        self.assertEqual(sorted(by_account), sorted(want), "every account has updates")
        for account, updates in sorted(by_account.items()):
            counts = [count for _, count in updates]
            self.assertEqual(counts, list(range(1, len(want[account]) + 1)),
                             "account %s: each input counted once, in order (a repeated "
                             "count is an update of an aborted or replayed transaction)"
                             % account)
            sums = [0] + [total for total, _ in updates]
            added = sorted(b - a for a, b in zip(sums, sums[1:]))
            self.assertEqual(added, want[account],
                             "account %s: the sum adds each input amount once" % account)
        self.assertEqual(len(records), N)

    def test_application_killed_9_twice_mid_run_and_restored_from_the_changelog(self):
        # 1: killed mid-run with a transaction open (its records on the broker, never
        # committed).
        app = self.start_app(*OPEN_TRANSACTIONS)
        app.wait_processed(N // 4, self.logs)
        app.kill9()
        # 2: its local state wiped, so it restores the store from the changelog topic
        # (read_committed: the aborted updates of run 1 must not come back); killed again.
        shutil.rmtree(self.state_dir)
        app = self.start_app(*OPEN_TRANSACTIONS)
        app.wait_processed(N // 4, self.logs)
        app.kill9()
        # 3: to the end.
        app = self.start_app()
        records, uncommitted = self.read_output()
        app.stop()
        self.assertEqual(len(records), N, "read_committed updates\n" + self.logs())
        self.assert_exactly_once(records)
        self.assertGreater(uncommitted, N, "the kills left records of aborted transactions "
                           "in the output (read_uncommitted sees them); else the test proved "
                           "less than it claims")
        self.assert_broker_did_its_part()

    def assert_broker_did_its_part(self):
        """The run compacted the changelog (whose transactions commit and abort) and
        Streams deleted consumed records of the repartition topic (DeleteRecords)."""
        self.assertGreater(self.broker.metric("sluice_broker_log_cleaner_passes_total"), 0,
                           "the changelog was compacted" + self.logs())
        r = kafka_dist.run_tool("kafka-get-offsets", "--bootstrap-server", self.broker.bootstrap,
                                "--topic", "%s-by-account-repartition" % self.app_id,
                                "--time", "-2")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        starts = [int(line.rsplit(":", 1)[1]) for line in r.stdout.split()]
        self.assertEqual(len(starts), 3, r.stdout)
        self.assertGreater(max(starts), 0, "the repartition topic's consumed records were "
                           "deleted: " + r.stdout)

    def test_one_of_two_instances_killed_9_and_the_other_takes_its_tasks_over(self):
        # Two instances of the application share its tasks (a classic group of two); the
        # one killed leaves a transaction open under its own transactional id, which the
        # broker aborts when its timeout passes, while the survivor takes over its tasks,
        # restores their stores from the changelog and goes on from their committed
        # offsets.
        both = [self.start_app(*OPEN_TRANSACTIONS, state_dir="%s-%d" % (self.state_dir, i))
                for i in (1, 2)]
        wait_until(lambda: sum(app.processed for app in both) >= N // 4
                   or any(app.proc.poll() is not None for app in both),
                   WAIT_S, message="the instances to process records")
        for app in both:
            self.assertIsNone(app.proc.poll(), "an instance exited" + self.logs())
        # The one with stores (the aggregation's tasks) to take over; Streams spreads
        # them over both instances, so that is almost always both.
        killed, survivor = sorted(both, key=lambda app: app.processed, reverse=True)
        killed.kill9()
        records, _ = self.read_output()
        survivor.stop()
        self.assertEqual(len(records), N, "read_committed updates\n" + self.logs())
        self.assert_exactly_once(records)

    def test_broker_killed_9_and_restarted_under_the_application(self):
        # Commits every 100 ms: some transactions committed before the kill, one open.
        app = self.start_app()
        app.wait_processed(N // 4, self.logs)
        self.broker.kill9()
        self.broker.restart(stop_first=False)
        self.assertFalse(self.broker.port_changed_on_restart, "same port after the restart")
        records, _ = self.read_output()
        app.stop()
        self.assertEqual(len(records), N, "read_committed updates\n" + self.logs())
        self.assert_exactly_once(records)


if __name__ == "__main__":
    unittest.main()
