"""Consumer-group lag seen from the broker (`sluice broker --admin`) and from
`sluice exporter` against the same broker.

A real confluent_kafka consumer reads part of a topic and commits, then pauses
while more records arrive, then dies. The promise checked: the broker's
sluice_group_lag and sluice_group_lag_seconds keep growing while the client's
own view of its lag stays frozen, they survive the client's death, `sluice
exporter` reports the same figures through the Kafka client, and
`promtool check metrics` accepts both pages.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

import ck_helpers
from broker import BrokerProcess, sluice_bin, stop_child, unique_name, wait_until
from confluent_kafka import TopicPartition

ADMIN_RE = re.compile(r"admin on http://127\.0\.0\.1:(\d+)")
SAMPLE_RE = re.compile(r'^([A-Za-z_:][A-Za-z0-9_:]*)(\{.*\})?\s+(\S+)$')


def scrape(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
        return r.read().decode()


def series(page, name):
    """{label text: value} for every sample of `name` on the page."""
    out = {}
    for line in page.splitlines():
        m = SAMPLE_RE.match(line)
        if m and m.group(1) == name:
            out[m.group(2) or ""] = float(m.group(3))
    return out


def value(page, name, **labels):
    for key, v in series(page, name).items():
        if all('%s="%s"' % (k, x) in key for k, x in labels.items()):
            return v
    return None


class BrokerLagTest(unittest.TestCase):
    PARTITIONS = 2

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sluice-broker-lag-")
        self.broker = BrokerProcess(tmpdir=self.tmp, default_partitions=self.PARTITIONS,
                                    group_initial_rebalance_delay_ms=0, admin="127.0.0.1:0")
        self.admin_port = int(ADMIN_RE.search(self.broker.ready_line).group(1))
        self.topic = unique_name("lag")
        self.exporter = None
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        stop_child(self.exporter)
        if self.exporter is not None:
            self.exporter.stdout.close()
        self.broker.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def produce(self, n, start=0):
        p = ck_helpers.producer(self.broker.bootstrap)
        msgs = [{"key": b"k%d" % (start + i), "value": b"v%d" % (start + i),
                 "partition": (start + i) % self.PARTITIONS} for i in range(n)]
        for d in ck_helpers.produce_all(p, self.topic, msgs):
            self.assertIsNone(d.error)

    def broker_lag(self, group):
        page = scrape(self.admin_port)
        lags = {k: v for k, v in series(page, "sluice_group_lag").items() if 'consumer_group="%s"' % group in k}
        return page, sum(lags.values()), len(lags)

    def start_exporter(self, groups, bootstrap=None):
        with open(os.path.join(self.tmp, "exporter.err"), "wb") as err:
            self.exporter = subprocess.Popen(
                [sluice_bin(), "exporter", "--bootstrap", bootstrap or self.broker.bootstrap, "--admin", "127.0.0.1:0",
                 "--groups", groups, "--poll-interval-ms", "300", "--timeout-ms", "2000"],
                stdout=subprocess.PIPE, stderr=err, text=True)
        line = self.exporter.stdout.readline()
        m = ADMIN_RE.search(line)
        self.assertIsNotNone(m, "`sluice exporter` did not start: %r (exit %r)" % (line, self.exporter.poll()))
        threading.Thread(target=self.exporter.stdout.read, daemon=True).start()
        return int(m.group(1))

    def test_a_paused_then_dead_consumers_lag_keeps_growing_at_the_broker_and_the_exporter_agrees(self):
        self.produce(100)
        group = unique_name("g")
        client_lag = {}

        def on_stats(text):
            stats = json.loads(text)
            for p, s in stats.get("topics", {}).get(self.topic, {}).get("partitions", {}).items():
                if int(p) >= 0 and s.get("consumer_lag", -1) >= 0:
                    client_lag[int(p)] = s["consumer_lag"]

        c = ck_helpers.consumer(self.broker.bootstrap, **{
            "group.id": group, "enable.partition.eof": False, "statistics.interval.ms": 200,
            "stats_cb": on_stats, "fetch.wait.max.ms": 100})
        c.subscribe([self.topic])
        consumed = []
        deadline = time.monotonic() + 60
        while len(consumed) < 40 and time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is not None and m.error() is None:
                consumed.append(m)
        self.assertEqual(len(consumed), 40, "the consumer read 40 records")
        assignment = c.assignment()
        self.assertEqual(len(assignment), self.PARTITIONS)
        # Commit what was read (the next offset per partition), then stop reading.
        nxt = {tp.partition: 0 for tp in assignment}
        for m in consumed:
            nxt[m.partition()] = max(nxt.get(m.partition(), 0), m.offset() + 1)
        c.commit(offsets=[TopicPartition(self.topic, p, o) for p, o in nxt.items()], asynchronous=False)
        c.pause(assignment)
        committed_lag = 100 - sum(nxt.values())

        # The broker's figure: exactly what the commit leaves, per partition.
        def settled():
            page, lag, n = self.broker_lag(group)
            return page if n == self.PARTITIONS and lag == committed_lag else None
        page = wait_until(settled, 30, 0.2, "broker lag %d over %d partitions" % (committed_lag, self.PARTITIONS))
        self.assertEqual(value(page, "sluice_group_state", consumer_group=group, state="Stable"), 1)
        self.assertEqual(value(page, "sluice_group_members", consumer_group=group), 1)
        for p, o in nxt.items():
            self.assertEqual(value(page, "sluice_group_committed_offset", consumer_group=group, partition=str(p)), o)
            self.assertEqual(value(page, "sluice_group_log_end_offset", consumer_group=group, partition=str(p)), 50)

        # Paused: the client keeps polling (heartbeats, stats) but fetches nothing.
        def poll_for(seconds):
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                self.assertIsNone(c.poll(0.1))
        poll_for(1.5)
        frozen = dict(client_lag)
        age_before = max(series(scrape(self.admin_port), "sluice_group_lag_seconds").values())
        self.produce(60, start=100)
        poll_for(2.0)
        page, lag, _ = self.broker_lag(group)
        self.assertEqual(lag, committed_lag + 60, "the broker counts what arrived during the pause")
        self.assertGreater(max(series(page, "sluice_group_lag_seconds").values()), age_before + 1.5,
                           "the age of the oldest unconsumed record grows")
        self.assertTrue(frozen, "the client reported its own lag")
        self.assertEqual(client_lag, frozen, "the paused client's own lag stays frozen")
        self.assertLess(sum(client_lag.values()), committed_lag + 60)

        # Dead: the client leaves; its own gauges are gone, the broker still counts.
        c.close()
        page = wait_until(lambda: (lambda p: p if value(p, "sluice_group_members", consumer_group=group) == 0
                                   else None)(scrape(self.admin_port)), 30, 0.2, "the group is empty")
        self.assertEqual(value(page, "sluice_group_state", consumer_group=group, state="Empty"), 1)
        self.assertEqual(self.broker_lag(group)[1], committed_lag + 60)

        # Another group that the exporter's --groups leaves out.
        other = ck_helpers.consumer(self.broker.bootstrap, **{"group.id": "other-" + group})
        other.commit(offsets=[TopicPartition(self.topic, 0, 1)], asynchronous=False)
        other.close()

        exporter_port = self.start_exporter(re.escape(group))

        def agree():
            broker_page, exporter_page = scrape(self.admin_port), scrape(exporter_port)
            mine = lambda page, name: {k: v for k, v in series(page, name).items() if "other-" not in k}
            for name in ("sluice_group_lag", "sluice_group_committed_offset", "sluice_group_log_end_offset",
                         "sluice_group_state", "sluice_group_members"):
                if mine(broker_page, name) != series(exporter_page, name):
                    return None
            return broker_page, exporter_page
        broker_page, exporter_page = wait_until(agree, 30, 0.3, "the exporter's lag series equal the broker's")
        self.assertEqual(value(exporter_page, "sluice_exporter_cluster_up"), 1)
        self.assertIsNone(value(exporter_page, "sluice_group_lag", consumer_group="other-" + group))
        b_age = series(broker_page, "sluice_group_lag_seconds")
        e_age = series(exporter_page, "sluice_group_lag_seconds")
        self.assertEqual(set(e_age), {k for k in b_age if "other-" not in k})
        for k, v in e_age.items():
            self.assertAlmostEqual(v, b_age[k], delta=3.0, msg=k)

        promtool = shutil.which("promtool")
        if promtool is None:
            self.skipTest("promtool not installed (Debian package prometheus)")
        for what, page in (("broker", broker_page), ("exporter", exporter_page)):
            r = subprocess.run([promtool, "check", "metrics"], input=page, capture_output=True, text=True,
                               timeout=60)
            self.assertEqual(r.returncode, 0, "%s page: %s%s" % (what, r.stdout, r.stderr))

    def test_an_exporter_that_cannot_reach_its_cluster_says_so_and_serves_no_stale_lag(self):
        group = unique_name("g")
        self.produce(10)
        c = ck_helpers.consumer(self.broker.bootstrap, **{"group.id": group})
        c.commit(offsets=[TopicPartition(self.topic, 0, 1)], asynchronous=False)
        c.close()
        port = self.start_exporter(".*")
        page = wait_until(lambda: (lambda p: p if value(p, "sluice_group_lag", consumer_group=group) == 4
                                   else None)(scrape(port)), 30, 0.2, "the exporter's lag of %s" % group)
        self.assertEqual(value(page, "sluice_exporter_cluster_up"), 1)

        self.broker.stop()
        page = wait_until(lambda: (lambda p: p if value(p, "sluice_exporter_cluster_up") == 0 else None)(scrape(port)),
                          60, 0.3, "the exporter noticing the cluster is gone")
        self.assertEqual(series(page, "sluice_group_lag"), {}, "no stale lag once the cluster is unreachable")
        self.assertGreaterEqual(value(page, "sluice_exporter_polls_total", result="error"), 1)
        with self.assertRaises(urllib.error.HTTPError) as ready:
            urllib.request.urlopen("http://127.0.0.1:%d/readyz" % port, timeout=10)
        self.assertEqual(ready.exception.code, 503)


if __name__ == "__main__":
    unittest.main()
