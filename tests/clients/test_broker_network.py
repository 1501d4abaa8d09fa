"""The broker's network under hostile and heavy load (issue 16, probes 1-3): an
event loop with a fixed number of threads, Kafka's connection limits, recovery
from descriptor exhaustion, frames that never allocate their declared size up
front, and the advertised address.

Every wait is bounded by wait_until with a generous deadline; nothing asserts on
wall-clock durations. Broker state is read from /proc/PID and from its /metrics."""

import os
import re
import resource
import socket
import struct
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request

import broker  # noqa: F401
from broker import BrokerTestCase, sluice_bin, unique_name, wait_until
import wire

ADMIN_RE = re.compile(r"admin on http://127\.0\.0\.1:(\d+)")
MIB = 1024 * 1024


def proc_status(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError("no %s in /proc/%d/status" % (field, pid))


# The sanitizer pass (.ci/run) runs an ASan build: its shadow memory and
# quarantine make RSS bounds meaningless there (the plain pass asserts them).
SANITIZED = os.environ.get("SLUICE_SANITIZE_BUILD") == "1"


def rss_bytes(pid):
    return proc_status(pid, "VmRSS") * 1024


def thread_count(pid):
    return proc_status(pid, "Threads")


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def raw_connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class NetworkTestCase(BrokerTestCase):
    broker_flags = {"admin": "127.0.0.1:0"}

    def metrics(self):
        port = int(ADMIN_RE.search(self.broker.ready_line).group(1))
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
            return r.read().decode()

    def metric(self, name, labels=""):
        pattern = re.compile(r"^%s%s (\S+)$" % (re.escape(name), re.escape(labels)), re.M)
        m = pattern.search(self.metrics())
        if not m:
            raise AssertionError("no %s%s in the broker's /metrics" % (name, labels))
        return float(m.group(1))

    def settled_thread_count(self):
        """The broker's threads once its admin HTTP server has started its own pool
        (which it does asynchronously, after the ready line): answering /metrics proves it."""
        self.metrics()
        return thread_count(self.broker.pid)

    def assert_serves_metadata(self, context):
        md = wire.metadata_v1(self.broker.port, topics=None, timeout=20)
        self.assertEqual(md["brokers"][0]["port"], self.broker.port, context)

    def kcat_lists_metadata(self):
        r = subprocess.run(["kcat", "-b", self.broker.bootstrap, "-L", "-m", "5"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
        return r.returncode == 0 and b"1 brokers" in r.stdout

    def open_many(self, n):
        socks = []
        self.addCleanup(lambda: [s.close() for s in socks])
        for _ in range(n):
            socks.append(raw_connect(self.broker.port))
        return socks


class DescriptorExhaustionTest(NetworkTestCase):

    # Not under the sanitizers: their runtime needs descriptors too. Out of them,
    # UBSan's vptr check (which probes memory through a pipe it must open first)
    # calls a valid object's vtable unreadable and reports "invalid vptr ... <memory
    # cannot be printed>" (seen in frame_reader.cc), then halts the broker. valgrind on the plain build finds no invalid access here,
    # and the plain pass runs this test.
    @unittest.skipIf(SANITIZED, "the sanitizer runtime itself needs descriptors (see comment)")
    def test_accepting_pauses_and_recovers_when_descriptors_run_out(self):
        pid = self.broker.pid
        # As `prlimit --nofile=64` would: both limits, on the running broker.
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (64, 64))
        socks = []
        try:
            for _ in range(80):
                socks.append(raw_connect(self.broker.port))  # the rest wait in the backlog
            wait_until(lambda: "cannot accept connections" in self.broker.stderr_tail(400), 30, 0.2,
                       "the broker to log that it ran out of descriptors")
        finally:
            for s in socks:
                s.close()
        wait_until(self.kcat_lists_metadata, 60, 0.5, "kcat to list metadata again")
        # Not spinning: an idle broker burns (almost) no CPU.
        before = cpu_seconds(pid)
        time.sleep(3)
        self.assertLess(cpu_seconds(pid) - before, 0.5, "broker kept burning CPU" + self.broker_log())
        log = self.broker.stderr_tail(400)
        self.assertEqual(log.count("cannot accept connections"), 1,
                         "descriptor exhaustion should be logged once" + self.broker_log())
        self.assertGreaterEqual(
            self.metric("sluice_broker_connections_refused_total", '{reason="fd_exhausted"}'), 1)


class OversizedHeaderTest(NetworkTestCase):

    def test_a_size_header_does_not_allocate_the_declared_size(self):
        pid = self.broker.pid
        socks = self.open_many(40)
        for s in socks:
            s.sendall(struct.pack(">i", 100 * MIB) + b"\x00")
        # Every connection has started a frame: the broker holds some bytes for each.
        wait_until(lambda: self.metric("sluice_broker_queued_request_bytes") >= 40, 30, 0.2,
                   "the broker to read the 40 headers")
        if not SANITIZED:
            self.assertLess(rss_bytes(pid), 200 * MIB, "RSS after 40 x 100 MiB headers")
        self.assertLess(self.metric("sluice_broker_queued_request_bytes"), 40 * MIB)
        self.assert_serves_metadata("while 40 frames are half-sent")
        for s in socks:
            s.close()
        wait_until(lambda: self.metric("sluice_broker_queued_request_bytes") == 0, 30, 0.2,
                   "queued request bytes to return to 0 after the peers left")

    def test_a_frame_larger_than_socket_request_max_bytes_closes_the_connection(self):
        c = wire.Connection(self.broker.port)
        self.addCleanup(c.close)
        c.send_raw(struct.pack(">i", 100 * MIB + 1))
        self.assertTrue(c.wait_closed(20))
        self.assert_serves_metadata("after an oversized frame")


class QueuedBytesBudgetTest(NetworkTestCase):
    broker_flags = {"admin": "127.0.0.1:0", "queued_max_request_bytes": 1 * MIB}

    def test_over_the_budget_reads_pause_and_every_request_still_completes(self):
        # Eight peers each send 3/4 of a 512 KiB request: 3 MiB held, three times the
        # budget. Reads pause; as the peers finish, every request is answered.
        topic = unique_name("budget")
        wait_until(lambda: wire.metadata_v1(self.broker.port, [topic])["topics"][0]["error_code"] == 0,
                   30, 0.2, "topic %s" % topic)
        body = wire.produce_v3_body(topic, 0, wire.record_batch([(None, b"x" * (512 * 1024))]))
        request = wire.frame(wire.request_header_v1(wire.PRODUCE, 3, 9) + body)
        split = len(request) * 3 // 4
        conns = [wire.Connection(self.broker.port, timeout=60) for _ in range(8)]
        self.addCleanup(lambda: [c.close() for c in conns])
        held_over_budget = threading.Event()

        def send(c):
            # Paused reads may block sendall() until the broker drains this peer: one thread each.
            c.send_raw(request[:split])
            held_over_budget.wait(60)
            c.send_raw(request[split:])

        senders = [threading.Thread(target=send, args=(c,), daemon=True) for c in conns]
        for t in senders:
            t.start()
        try:
            wait_until(lambda: self.metric("sluice_broker_queued_request_bytes") > 1 * MIB, 30, 0.2,
                       "the broker to hold more than its budget")
        finally:
            held_over_budget.set()
        for c in conns:
            r = wire.Reader(c.recv_frame(60))
            self.assertEqual(r.int32(), 9)
        wait_until(lambda: self.metric("sluice_broker_queued_request_bytes") == 0, 30, 0.2,
                   "queued request bytes to drain")


class IdleConnectionsTest(NetworkTestCase):
    broker_flags = {"admin": "127.0.0.1:0", "max_connections": 20000}
    N = 10000

    def setUp(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        need = self.N + 512
        if hard != resource.RLIM_INFINITY and hard < need:
            self.skipTest("open-file hard limit %d is below the %d this test needs" % (hard, need))
        if soft != resource.RLIM_INFINITY and soft < need:
            resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
            self.addCleanup(resource.setrlimit, resource.RLIMIT_NOFILE, (soft, hard))
        super().setUp()

    def test_ten_thousand_idle_connections_cost_no_thread(self):
        pid = self.broker.pid
        self.assert_serves_metadata("before")
        threads_before = self.settled_thread_count()
        socks = self.open_many(self.N)
        wait_until(lambda: self.metric("sluice_broker_connections") >= self.N, 120, 0.5,
                   "the broker to accept %d connections" % self.N)
        self.assertEqual(thread_count(pid), threads_before, "threads with %d idle connections" % self.N)
        if not SANITIZED:
            self.assertLess(rss_bytes(pid), 100 * MIB, "RSS with %d idle connections" % self.N)
        self.assert_serves_metadata("with %d idle connections" % self.N)
        for s in socks:
            s.close()
        wait_until(lambda: self.metric("sluice_broker_connections") == 0, 120, 0.5,
                   "every connection to close")


class ParkedFetchTest(NetworkTestCase):
    broker_flags = {"admin": "127.0.0.1:0", "num_io_threads": 2}

    def test_long_polling_fetches_hold_no_worker(self):
        topic = unique_name("park")
        wait_until(lambda: wire.metadata_v1(self.broker.port, [topic])["topics"][0]["error_code"] == 0,
                   30, 0.2, "topic %s" % topic)
        threads = self.settled_thread_count()
        # Twenty long polls on two workers: if a poll held a worker, Metadata would wait.
        polls = []
        for i in range(20):
            c = wire.Connection(self.broker.port, timeout=60)
            self.addCleanup(c.close)
            c.send_request(wire.request_header_v1(wire.FETCH, 4, 100 + i),
                           wire.fetch_body(4, topic, 0, 0, max_wait_ms=60000))
            polls.append(c)
        wait_until(lambda: self.metric("sluice_broker_parked_fetches") == 20, 30, 0.2,
                   "twenty parked fetches")
        self.assert_serves_metadata("while twenty fetches long-poll")
        self.assertEqual(thread_count(self.broker.pid), threads)
        err, _ = wire.produce_v3(self.broker.port, topic, 0, wire.record_batch([(None, b"hello")]))
        self.assertEqual(err, 0)
        for i, c in enumerate(polls):
            r = wire.Reader(c.recv_frame(30))
            self.assertEqual(r.int32(), 100 + i)
        self.assertEqual(self.metric("sluice_broker_parked_fetches"), 0)


class RebalanceOnOneWorkerTest(NetworkTestCase):
    broker_flags = {"admin": "127.0.0.1:0", "num_io_threads": 1, "default_partitions": 2,
                    "group_initial_rebalance_delay_ms": 0}

    def test_join_and_sync_never_hold_the_only_worker(self):
        # JoinGroup waits in the coordinator until every member has joined. Were it
        # run on the single worker, the second member's JoinGroup (and everything
        # else) would queue behind it until the rebalance timed out.
        from confluent_kafka import Consumer
        topic = unique_name("rebalance")
        wait_until(lambda: wire.metadata_v1(self.broker.port, [topic])["topics"][0]["error_code"] == 0,
                   30, 0.2, "topic %s" % topic)
        group = unique_name("g")
        consumers = [Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": group,
                               "broker.address.family": "v4", "session.timeout.ms": 30000,
                               "max.poll.interval.ms": 300000})
                     for _ in range(2)]
        self.addCleanup(lambda: [c.close() for c in consumers])
        for c in consumers:
            c.subscribe([topic])

        def each_has_a_partition():
            for c in consumers:
                c.poll(0.1)
            return all(len(c.assignment()) == 1 for c in consumers)

        wait_until(each_has_a_partition, 120, 0, "both members to get one partition each")
        self.assert_serves_metadata("after the rebalance")


class ChurnTest(NetworkTestCase):

    def test_connection_churn_returns_the_descriptor_count_to_its_baseline(self):
        pid = self.broker.pid
        self.assert_serves_metadata("warm-up")
        baseline = fd_count(pid)
        for i in range(300):
            if i % 3 == 0:
                wire.metadata_v1(self.broker.port, topics=None)
            else:
                raw_connect(self.broker.port).close()
        wait_until(lambda: fd_count(pid) <= baseline, 30, 0.2,
                   "the broker's descriptor count to return to %d" % baseline)


class PerIpLimitTest(NetworkTestCase):
    broker_flags = {"admin": "127.0.0.1:0", "max_connections_per_ip": 3}

    def test_connections_over_max_connections_per_ip_are_closed(self):
        conns = [wire.Connection(self.broker.port) for _ in range(3)]
        self.addCleanup(lambda: [c.close() for c in conns])
        for c in conns:
            c.roundtrip(wire.METADATA, 1, 1, wire.metadata_v1_body(None))
        extra = wire.Connection(self.broker.port)
        self.addCleanup(extra.close)
        self.assertTrue(extra.wait_closed(20), "a fourth connection from 127.0.0.1 stayed open")
        self.assertGreaterEqual(
            self.metric("sluice_broker_connections_refused_total", '{reason="max_connections_per_ip"}'), 1)
        conns.pop().close()
        wait_until(lambda: self.metric("sluice_broker_connections") == 2, 30, 0.2, "a slot to free")
        self.assert_serves_metadata("after a slot freed")


class IdleTimeoutTest(NetworkTestCase):
    broker_flags = {"admin": "127.0.0.1:0", "connections_max_idle_ms": 500}

    def test_idle_connections_are_closed(self):
        c = wire.Connection(self.broker.port)
        self.addCleanup(c.close)
        c.roundtrip(wire.METADATA, 1, 1, wire.metadata_v1_body(None))
        self.assertTrue(c.wait_closed(30), "an idle connection outlived connections.max.idle.ms")
        self.assertGreaterEqual(
            self.metric("sluice_broker_connections_refused_total", '{reason="idle"}'), 1)


class AdvertiseTest(NetworkTestCase):
    broker_flags = {"admin": "127.0.0.1:0", "advertise": "broker.example:19092"}

    def test_metadata_and_find_coordinator_answer_the_advertised_address(self):
        md = wire.metadata_v1(self.broker.port, topics=None)
        self.assertEqual([(b["host"], b["port"]) for b in md["brokers"]], [("broker.example", 19092)])
        with wire.Connection(self.broker.port) as c:
            r = c.roundtrip(10, 0, 3, wire.Writer().string("some-group").bytes())  # FindCoordinator v0
            self.assertEqual(r.int16(), 0)
            self.assertEqual((r.int32(), r.string(), r.int32()), (0, "broker.example", 19092))


class SecondListenerTest(NetworkTestCase):
    broker_flags = {"admin": "127.0.0.1:0", "listener": "INTERNAL=PLAINTEXT://127.0.0.1:0"}

    def test_each_listener_advertises_its_own_address(self):
        m = wait_until(lambda: re.search(r"listener INTERNAL \(PLAINTEXT\) on 127\.0\.0\.1:(\d+)",
                                         self.broker.stderr_tail(200)), 30, 0.2, "the INTERNAL listener's log line")
        internal = int(m.group(1))
        self.assertNotEqual(internal, self.broker.port)
        md = wire.metadata_v1(internal, topics=None)
        self.assertEqual([(b["host"], b["port"]) for b in md["brokers"]], [("127.0.0.1", internal)])
        self.assert_serves_metadata("on the first listener")


class WildcardListenTest(unittest.TestCase):

    def run_broker(self, *args):
        with tempfile.TemporaryDirectory(prefix="sluice-net-") as tmp:
            return subprocess.run([sluice_bin(), "broker", "--data-dir", tmp] + list(args),
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)

    def test_listening_on_every_interface_without_advertise_is_refused(self):
        r = self.run_broker("--listen", "0.0.0.0:0")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"--advertise", r.stdout)

    def test_advertising_every_interface_is_refused(self):
        r = self.run_broker("--listen", "0.0.0.0:0", "--advertise", "0.0.0.0:9092")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"cannot advertise 0.0.0.0", r.stdout)


if __name__ == "__main__":
    unittest.main()
