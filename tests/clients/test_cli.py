"""The operator CLIs (`sluice topics`, `sluice groups`, `sluice broker check`)
against the built-in broker, with real consumers making real lag."""

import json
import subprocess
import time
import unittest

import ck_helpers
from broker import BrokerProcess, sluice_bin, unique_name, wait_until
from confluent_kafka import Consumer, TopicPartition


class CliTest(unittest.TestCase):

    def setUp(self):
        self.broker = BrokerProcess(group_initial_rebalance_delay_ms=0)

    def tearDown(self):
        self.broker.stop()

    def sluice(self, *args, check=True):
        r = subprocess.run([sluice_bin(), *args, "--bootstrap", self.broker.bootstrap], capture_output=True,
                           text=True, timeout=60)
        if check:
            self.assertEqual(r.returncode, 0, "sluice %s failed:\n%s%s" % (" ".join(args), r.stdout, r.stderr))
        return r

    def describe_json(self, group):
        return json.loads(self.sluice("groups", "describe", group, "--json").stdout)[0]

    def produce(self, topic, values, timestamp=None):
        p = ck_helpers.producer(self.broker.bootstrap)
        msgs = [{"value": v.encode(), "partition": 0} for v in values]
        if timestamp is not None:
            for m in msgs:
                m["timestamp"] = timestamp
        for d in ck_helpers.produce_all(p, topic, msgs):
            self.assertIsNone(d.error)

    def test_topics_create_list_describe_alter_delete(self):
        t = unique_name("cli")
        self.sluice("topics", "create", t, "--partitions", "3", "--config", "retention.ms=3600000")
        self.assertIn(t, self.sluice("topics", "list").stdout)
        out = self.sluice("topics", "describe", t).stdout
        self.assertIn("3 partition(s), 0 offline", out)
        self.assertIn("retention.ms=3600000", out)
        self.sluice("topics", "alter", t, "--partitions", "5")
        self.assertIn("5 partition(s)", self.sluice("topics", "describe", t).stdout)
        bad = self.sluice("topics", "alter", t, "--partitions", "2", check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("must be larger", bad.stderr)
        self.sluice("topics", "delete", t)
        self.assertNotIn(t, self.sluice("topics", "list").stdout)

    def test_groups_describe_shows_the_lag_of_a_consumer_that_falls_behind(self):
        t, g = unique_name("lag"), unique_name("g")
        self.sluice("topics", "create", t, "--partitions", "1")
        self.produce(t, ["m-%d" % i for i in range(100)])
        c = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": g, "enable.auto.commit": False,
                      "auto.offset.reset": "earliest", "session.timeout.ms": 6000})
        c.subscribe([t])
        got = 0
        deadline = time.monotonic() + 60
        while got < 40 and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is not None and m.error() is None:
                got += 1
                if got == 40:
                    c.commit(message=m, asynchronous=False)
        try:
            d = self.describe_json(g)
            self.assertEqual(d["state"], "Stable")
            (p,) = d["partitions"]
            self.assertEqual((p["current_offset"], p["log_end_offset"], p["lag"]), (40, 100, 60))
            self.assertTrue(p["consumer_id"], "the owning member is shown")
            self.assertGreaterEqual(p["lag_seconds"], 0)
            text = self.sluice("groups", "describe", g).stdout
            self.assertIn("total lag: 60", text)
            busy = self.sluice("groups", "reset-offsets", g, "--topic", t, "--to-earliest", "--execute", check=False)
            self.assertEqual(busy.returncode, 1)
            self.assertIn("active member", busy.stderr)
        finally:
            c.close()

    def test_reset_offsets_to_a_datetime_replays_from_the_first_record_at_or_after_it(self):
        t, g = unique_name("reset"), unique_name("g")
        self.sluice("topics", "create", t, "--partitions", "1")
        self.produce(t, ["old-%d" % i for i in range(10)], timestamp=1_700_000_000_000)
        self.produce(t, ["new-%d" % i for i in range(10)], timestamp=1_700_000_600_000)
        self.sluice("groups", "reset-offsets", g, "--topic", t, "--to-latest", "--execute")
        self.assertEqual(self.describe_json(g)["partitions"][0]["current_offset"], 20)

        dry = self.sluice("groups", "reset-offsets", g, "--topic", t, "--to-datetime", "2023-11-14T22:18:00Z")
        self.assertIn("dry run", dry.stdout)
        self.assertEqual(self.describe_json(g)["partitions"][0]["current_offset"], 20, "a dry run changes nothing")

        # 2023-11-14T22:18:00Z lies between the two batches (…000 and …600 s).
        self.sluice("groups", "reset-offsets", g, "--topic", t, "--to-datetime", "2023-11-14T22:18:00Z", "--execute")
        self.assertEqual(self.describe_json(g)["partitions"][0]["current_offset"], 10)
        c = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": g, "enable.auto.commit": False})
        c.subscribe([t])
        try:
            first = None
            deadline = time.monotonic() + 30
            while first is None and time.monotonic() < deadline:
                m = c.poll(0.5)
                if m is not None and m.error() is None:
                    first = m.value()
            self.assertEqual(first, b"new-0", "the group replays from the first record after the datetime")
        finally:
            c.close()

        self.sluice("groups", "reset-offsets", g, "--topic", t, "--shift-by", "-3", "--execute")
        self.assertEqual(self.describe_json(g)["partitions"][0]["current_offset"], 7)

    def test_broker_check_succeeds_here_and_fails_clearly_on_a_closed_port(self):
        ok = self.sluice("broker", "check")
        self.assertIn("OK:", ok.stdout)
        r = subprocess.run([sluice_bin(), "broker", "check", "--bootstrap", "127.0.0.1:1", "--timeout-ms", "2000"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot reach Kafka at 127.0.0.1:1", r.stderr)


if __name__ == "__main__":
    unittest.main()
