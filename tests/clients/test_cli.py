"""The operator CLIs (`sluice topics`, `sluice groups`, `sluice broker check`)
against the built-in broker, with real confluent_kafka consumers making real lag.

Every wait is bounded; nothing asserts on wall-clock speed. Times that matter
(record timestamps, --to-datetime) are fixed values, never "now".
"""

import json
import socket
import subprocess
import time
import unittest

import ck_helpers
from broker import BrokerTestCase, sluice_bin, unique_name
from confluent_kafka import Consumer

CLI_TIMEOUT_S = 60
OLD_BATCH_MS = 1_700_000_000_000  # 2023-11-14T22:13:20Z
NEW_BATCH_MS = 1_700_000_600_000  # 2023-11-14T22:23:20Z
BETWEEN_BATCHES = "2023-11-14T22:18:00Z"


def closed_port():
    """A loopback port nothing listens on: bound once by us, then released."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CliTest(BrokerTestCase):
    broker_flags = {"group_initial_rebalance_delay_ms": 0}

    # ------------------------------------------------------------- helpers
    def sluice(self, *args, check=True, bootstrap=None):
        cmd = [sluice_bin(), *args, "--bootstrap", bootstrap or self.broker.bootstrap]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=CLI_TIMEOUT_S)
        if check:
            self.assertEqual(r.returncode, 0, "%s failed:\n%s%s%s"
                             % (" ".join(cmd), r.stdout, r.stderr, self.broker_log()))
        return r

    def assert_fails(self, r, code, *phrases):
        self.assertEqual(r.returncode, code, r.stdout + r.stderr)
        for phrase in phrases:
            self.assertIn(phrase, r.stderr)
        self.assertNotIn("terminate called", r.stderr)

    def describe_json(self, group):
        (d,) = json.loads(self.sluice("groups", "describe", group, "--json").stdout)
        return d

    def committed(self, group):
        return {p["partition"]: p["current_offset"] for p in self.describe_json(group)["partitions"]}

    def produce(self, topic, values, partition=0, timestamp=None):
        p = ck_helpers.producer(self.broker.bootstrap)
        msgs = [{"value": v.encode(), "partition": partition, "timestamp": timestamp} for v in values]
        for d in ck_helpers.produce_all(p, topic, msgs):
            self.assertIsNone(d.error)

    def group_member(self, group, topic, **conf):
        c = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": group,
                      "enable.auto.commit": False, "auto.offset.reset": "earliest",
                      "session.timeout.ms": 6000, **conf})
        c.subscribe([topic])
        return c

    def consume(self, c, count, timeout=60):
        """Polls until `count` records arrived; returns the last one."""
        got, last = 0, None
        deadline = time.monotonic() + timeout
        while got < count:
            self.assertLess(time.monotonic(), deadline, "consumed only %d of %d records" % (got, count))
            m = c.poll(0.5)
            if m is not None and m.error() is None:
                got, last = got + 1, m
        return last

    # -------------------------------------------------------------- topics
    def test_topics_create_list_describe_alter_delete(self):
        t = unique_name("cli")
        self.sluice("topics", "create", t, "--partitions", "3", "--config", "retention.ms=3600000")
        self.assertRegex(self.sluice("topics", "list").stdout, r"(?m)^%s\s+3$" % t)
        out = self.sluice("topics", "describe", t).stdout
        self.assertIn("3 partition(s), 0 offline", out)
        self.assertRegex(out, r"(?m)^2\s+0\s+0\s+0\s+online$")
        self.assertIn("retention.ms=3600000", out)
        for key in ("retention.bytes=", "max.message.bytes=", "segment.bytes=", "cleanup.policy="):
            self.assertIn(key, out)

        self.assert_fails(self.sluice("topics", "create", t, "--partitions", "1", check=False), 1, t)
        self.sluice("topics", "alter", t, "--partitions", "5")
        self.assertIn("5 partition(s)", self.sluice("topics", "describe", t).stdout)
        self.assert_fails(self.sluice("topics", "alter", t, "--partitions", "2", check=False), 1,
                          "must be larger")

        self.sluice("topics", "delete", t, "--yes")
        self.assertNotIn(t, self.sluice("topics", "list").stdout)

    def test_describing_a_missing_topic_fails_and_does_not_create_it(self):
        t = unique_name("missing")
        self.assert_fails(self.sluice("topics", "describe", t, check=False), 1, t, "does not exist")
        self.assertNotIn(t, self.sluice("topics", "list").stdout)

    # -------------------------------------------------------------- groups
    def test_groups_describe_shows_the_lag_of_a_member_that_fell_behind(self):
        t, g = unique_name("lag"), unique_name("g")
        self.sluice("topics", "create", t, "--partitions", "1")
        hour_ago_ms = int(time.time() * 1000) - 3_600_000
        self.produce(t, ["m-%d" % i for i in range(100)], timestamp=hour_ago_ms)
        # A quote in client.id: --json must still be valid JSON.
        c = self.group_member(g, t, **{"client.id": 'cli"test'})
        try:
            c.commit(message=self.consume(c, 40), asynchronous=False)
            d = self.describe_json(g)
            self.assertEqual((d["state"], d["members"], d["total_lag"]), ("Stable", 1, 60))
            (p,) = d["partitions"]
            self.assertEqual((p["current_offset"], p["log_end_offset"], p["lag"]), (40, 100, 60))
            self.assertEqual(p["client_id"], 'cli"test')
            self.assertTrue(p["consumer_id"], "the owning member is shown")
            # The first unconsumed record was written an hour ago.
            self.assertGreaterEqual(p["lag_seconds"], 3600)

            text = self.sluice("groups", "describe", g).stdout
            self.assertRegex(text, r"(?m)^%s\s+0\s+40\s+100\s+60\s+\d+\.\d\s+cli\"test-" % t)
            self.assertIn("total lag: 60", text)
            self.assertNotIn("WARNING", text)
            self.assertRegex(self.sluice("groups", "list").stdout, r"(?m)^%s\s+Stable\s+consumer$" % g)

            busy = self.sluice("groups", "reset-offsets", g, "--topic", t, "--to-earliest", "--execute",
                               check=False)
            self.assert_fails(busy, 1, "group %s has 1 active member(s); stop its consumers first" % g)
            self.assertIn("sluice stop STAGE", busy.stderr)
            self.assertEqual(self.committed(g), {0: 40}, "a refused reset changes nothing")
            # A dry run may plan while the member still runs; it says --execute must wait.
            dry = self.sluice("groups", "reset-offsets", g, "--topic", t, "--to-earliest")
            self.assertRegex(dry.stdout, r"(?m)^%s\s+0\s+40\s+0$" % t)
            self.assertIn("1 active member(s): --execute is refused", dry.stdout)
            self.assertEqual(self.committed(g), {0: 40}, "a dry run changes nothing")
            self.assertIn({"group": g, "state": "Stable", "type": "consumer"},
                          json.loads(self.sluice("groups", "list", "--json").stdout))
        finally:
            c.close()

    def test_groups_describe_warns_when_one_partition_holds_most_of_the_lag(self):
        t, g = unique_name("skew"), unique_name("g")
        self.sluice("topics", "create", t, "--partitions", "2")
        self.produce(t, ["hot"] * 1200, partition=0)
        self.produce(t, ["cold"] * 100, partition=1)
        self.sluice("groups", "reset-offsets", g, "--topic", t, "--to-earliest", "--execute")
        d = self.describe_json(g)
        self.assertEqual((d["total_lag"], d["skewed"]), (1300, {"topic": t, "partition": 0}))
        text = self.sluice("groups", "describe", g).stdout
        self.assertIn("WARNING: lag is skewed: %s partition 0 holds 1200 of 1300" % t, text)

        all_groups = json.loads(self.sluice("groups", "describe", "--all", "--json").stdout)
        self.assertIn(g, [x["group"] for x in all_groups])

    def test_describing_a_missing_group_fails(self):
        g = unique_name("nobody")
        self.assert_fails(self.sluice("groups", "describe", g, check=False), 1, g, "does not exist")

    def test_reset_offsets_to_a_datetime_replays_from_the_first_record_at_or_after_it(self):
        t, g = unique_name("reset"), unique_name("g")
        self.sluice("topics", "create", t, "--partitions", "1")
        self.produce(t, ["old-%d" % i for i in range(10)], timestamp=OLD_BATCH_MS)
        self.produce(t, ["new-%d" % i for i in range(10)], timestamp=NEW_BATCH_MS)
        self.sluice("groups", "reset-offsets", g, "--topic", t, "--to-latest", "--execute")
        self.assertEqual(self.committed(g), {0: 20})

        dry = self.sluice("groups", "reset-offsets", g, "--topic", t, "--to-datetime", BETWEEN_BATCHES)
        self.assertRegex(dry.stdout, r"(?m)^%s\s+0\s+20\s+10$" % t)
        self.assertIn("dry run", dry.stdout)
        self.assertEqual(self.committed(g), {0: 20}, "a dry run changes nothing")

        bad = self.sluice("groups", "reset-offsets", g, "--topic", t, "--to-datetime", "2023-13-01T00:00:00Z",
                          "--execute", check=False)
        self.assert_fails(bad, 1, "2023-13-01T00:00:00Z", "is not a date-time")
        self.assertEqual(self.committed(g), {0: 20})

        self.sluice("groups", "reset-offsets", g, "--topic", t, "--to-datetime", BETWEEN_BATCHES, "--execute")
        self.assertEqual(self.committed(g), {0: 10})
        c = self.group_member(g, t)
        try:
            self.assertEqual(self.consume(c, 1).value(), b"new-0",
                             "the group replays from the first record after the datetime")
        finally:
            c.close()

        # Epoch milliseconds and fractional seconds name the same instants.
        self.sluice("groups", "reset-offsets", g, "--topic", t, "--to-datetime", str(OLD_BATCH_MS + 1), "--execute")
        self.assertEqual(self.committed(g), {0: 10})
        self.sluice("groups", "reset-offsets", g, "--topic", t, "--to-datetime", "2023-11-14T22:13:20.000Z",
                    "--execute")
        self.assertEqual(self.committed(g), {0: 0})
        # Nothing that late: the log end.
        self.sluice("groups", "reset-offsets", g, "--topic", t, "--to-datetime", "2030-01-01T00:00:00Z", "--execute")
        self.assertEqual(self.committed(g), {0: 20})

        self.sluice("groups", "reset-offsets", g, "--topic", t, "--shift-by", "-3", "--execute")
        self.assertEqual(self.committed(g), {0: 17})
        self.sluice("groups", "reset-offsets", g, "--topic", t, "--shift-by", "-100", "--execute")
        self.assertEqual(self.committed(g), {0: 0}, "--shift-by is clamped to the log start")

    def test_reset_offsets_needs_exactly_one_target_and_an_existing_topic(self):
        g = unique_name("g")
        r = self.sluice("groups", "reset-offsets", g, "--topic", "x", "--to-earliest", "--to-latest", check=False)
        self.assert_fails(r, 1, "choose exactly one of")
        missing = unique_name("missing")
        r = self.sluice("groups", "reset-offsets", g, "--topic", missing, "--to-earliest", check=False)
        self.assert_fails(r, 1, missing, "does not exist")
        self.assertNotIn(missing, self.sluice("topics", "list").stdout)

    # -------------------------------------------------------------- broker
    def test_broker_check_succeeds_here_and_fails_clearly_on_a_closed_port(self):
        ok = self.sluice("broker", "check").stdout
        self.assertIn("OK: %s answered" % self.broker.bootstrap, ok)
        self.assertIn("cluster id: ", ok)
        self.assertRegex(ok, r"(?m)^0\s+%s$" % self.broker.bootstrap)
        checked = json.loads(self.sluice("broker", "check", "--json").stdout)
        self.assertEqual(checked["brokers"], [{"id": 0, "address": self.broker.bootstrap}])
        self.assertEqual(checked["bootstrap"], self.broker.bootstrap)
        self.assertGreaterEqual(checked["round_trip_ms"], 0)

        port = closed_port()
        r = self.sluice("broker", "check", "--timeout-ms", "5000", bootstrap="127.0.0.1:%d" % port, check=False)
        self.assert_fails(r, 1, "cannot reach 127.0.0.1:%d" % port, "connection refused", "--bootstrap")
        self.assertEqual(r.stdout, "")

    def test_broker_without_data_dir_or_subcommand_explains_itself(self):
        r = subprocess.run([sluice_bin(), "broker"], capture_output=True, text=True, timeout=CLI_TIMEOUT_S)
        self.assert_fails(r, 1, "--data-dir", "sluice broker check")


if __name__ == "__main__":
    unittest.main()
