"""The consumer-group APIs at their flexible versions (KIP-482), proven with Apache Kafka's
own tools (the release pinned in scripts/kafka/pom.xml, launched by tests/kafka_dist.py).

A Kafka client uses, for each API, the highest version both it and the broker support.
kafka-broker-api-versions prints that choice ("usable"): for every group API it is the
broker's maximum, so a Kafka 4.x client speaks FindCoordinator v6, JoinGroup v9, SyncGroup
v5, Heartbeat v4, LeaveGroup v5, OffsetCommit v10, OffsetFetch v10, DescribeGroups v5,
ListGroups v5 and DeleteGroups v2 to `sluice broker` (v9 of the offset APIs is KIP-848's,
the same as v8 for a classic group). The rest of the test has those
versions carry a real group, and reads the versions actually sent from the clients' own
request logs (kafka_dist.request_log_config()): kafka-console-consumer joins, syncs,
heartbeats, commits and leaves (its leave reason, a v5 field, reaches the broker's log),
and kafka-consumer-groups lists it by state (ListGroups v4's filter), describes its member
and offsets and deletes it. A field misplaced at any of those versions fails the tool that
decodes it."""

import os
import re
import subprocess
import sys
import unittest

import broker  # noqa: F401  (makes the Debian client packages importable)
import ck_helpers
from broker import BrokerTestCase, unique_name, wait_until

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import kafka_dist  # noqa: E402

# API name (as Kafka prints it), key, the broker's newest version.
GROUP_APIS = [("OffsetCommit", 8, 10), ("OffsetFetch", 9, 10), ("FindCoordinator", 10, 6),
              ("JoinGroup", 11, 9), ("Heartbeat", 12, 4), ("LeaveGroup", 13, 5),
              ("SyncGroup", 14, 5), ("DescribeGroups", 15, 5), ("ListGroups", 16, 5),
              ("DeleteGroups", 42, 2)]
PARTITIONS = 3
BATCH = 30
# What the console consumer and kafka-consumer-groups send (Kafka's request-log names).
# A classic-protocol consumer and the admin client name their topics, so Kafka 4.4's stop
# at OffsetCommit and OffsetFetch v9 (v10 names them by id; the KIP-848 consumer sends it:
# test_consumer_group_protocol).
CONSUMER_SENDS = {"FIND_COORDINATOR": 6, "JOIN_GROUP": 9, "SYNC_GROUP": 5, "OFFSET_FETCH": 9,
                  "OFFSET_COMMIT": 9, "LEAVE_GROUP": 5}
# kafka-consumer-groups asks ConsumerGroupDescribe first; GROUP_ID_NOT_FOUND (a classic
# group) sends it to DescribeGroups, as with Kafka 4.
TOOL_SENDS = {"FIND_COORDINATOR": 6, "LIST_GROUPS": 5, "CONSUMER_GROUP_DESCRIBE": 1,
              "DESCRIBE_GROUPS": 5, "OFFSET_FETCH": 9,
              "DELETE_GROUPS": 2}


class FlexibleGroupApis(BrokerTestCase):
    broker_flags = {"default_partitions": PARTITIONS}

    def setUp(self):
        super().setUp()
        self.tools_sent = {}  # api -> versions, over every kafka-consumer-groups run

    def tool(self, name, *args):
        r = kafka_dist.run_tool(name, "--bootstrap-server", self.broker.bootstrap, *args,
                                log_config=kafka_dist.request_log_config())
        self.assertEqual(r.returncode, 0, "%s %s failed:\n%s%s%s" % (
            name, " ".join(args), r.stdout, r.stderr[-4000:], self.broker_log()))
        for api, versions in kafka_dist.api_versions_sent(r.stderr).items():
            self.tools_sent.setdefault(api, set()).update(versions)
        return r.stdout

    def assert_sent(self, sent, expected):
        for api, version in expected.items():
            self.assertEqual(sent.get(api), {version}, "%s: versions sent per API: %r"
                             % (api, sent))

    def groups(self, *args):
        return self.tool("kafka-consumer-groups", *args)

    def listed(self, *states):
        args = ["--list"] + (["--state", ",".join(states)] if states else [])
        return self.groups(*args).split()

    def produce(self, topic, start):
        p = ck_helpers.producer(self.broker.bootstrap)
        sent = ck_helpers.produce_all(p, topic, [{"key": "k%d" % i, "value": "v%d" % i}
                                                 for i in range(start, start + BATCH)])
        self.assertTrue(all(d.error is None for d in sent), sent)

    def test_kafka_clients_choose_the_newest_served_version_of_each_group_api(self):
        out = self.tool("kafka-broker-api-versions")
        for name, key, newest in GROUP_APIS:
            self.assertRegex(out, r"\b%s\(%d\): 0 to %d \[usable: %d\]" % (name, key, newest, newest),
                             out)

    def test_a_group_joins_commits_and_is_listed_described_and_deleted_by_kafka_tools(self):
        topic, group = unique_name("flex"), unique_name("flex-group")
        self.produce(topic, 0)
        # Stays in the group after the first batch: it exits once it has read both.
        consumer = subprocess.Popen(
            kafka_dist.tool_command("kafka-console-consumer", "--bootstrap-server",
                                    self.broker.bootstrap, "--topic", topic, "--group", group,
                                    "--from-beginning", "--max-messages", 2 * BATCH,
                                    "--timeout-ms", 120000,
                                    log_config=kafka_dist.request_log_config()),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        try:
            # Stable once JoinGroup v9 and SyncGroup v5 went through (the client checks the
            # protocol type and name these versions answer against its own).
            wait_until(lambda: group in self.listed("Stable") or consumer.poll() is not None,
                       timeout=90, interval=1, message="group %s listed as Stable" % group)
            self.assertIsNone(consumer.poll(), "the console consumer exited early")
            self.assertNotIn(group, self.listed("Empty"))
            members = self.groups("--describe", "--group", group, "--members")
            rows = [line.split() for line in members.splitlines() if line.startswith(group + " ")]
            self.assertEqual(len(rows), 1, members)
            self.assertIn("/127.0.0.1", rows[0], members)
            self.assertEqual(rows[0][-1], str(PARTITIONS), members)  # #PARTITIONS assigned

            self.produce(topic, BATCH)
            out, err = consumer.communicate(timeout=120)
        finally:
            if consumer.poll() is None:
                consumer.kill()
                consumer.communicate()
        self.assertEqual(consumer.returncode, 0, err[-4000:] + self.broker_log())
        self.assertEqual(len(out.splitlines()), 2 * BATCH, out)
        consumer_sent = kafka_dist.api_versions_sent(err)
        self.assert_sent(consumer_sent, CONSUMER_SENDS)
        # Heartbeats only go out when the member lives past heartbeat.interval.ms.
        self.assertLessEqual(consumer_sent.get("HEARTBEAT", set()), {4}, consumer_sent)

        # LeaveGroup v5 carried the client's reason for leaving.
        wait_until(lambda: re.search(r"group '%s': member \S+ left \(the consumer is being closed\)"
                                     % re.escape(group), self.broker.stderr_tail(400)),
                   timeout=30, message="the leave reason in the broker's log")

        self.assertIn(group, self.listed("Empty"))
        self.assertNotIn(group, self.listed("Stable", "PreparingRebalance"))
        self.assertIn(group, self.listed())
        # OffsetFetch v9 (the admin client's batched form) and DescribeGroups v5.
        described = self.groups("--describe", "--group", group)
        rows = [line.split() for line in described.splitlines() if line.startswith(group + " ")]
        self.assertEqual(sorted(int(r[2]) for r in rows), list(range(PARTITIONS)), described)
        self.assertEqual(sum(int(r[3]) for r in rows), 2 * BATCH, described)  # CURRENT-OFFSET
        self.assertEqual([r[5] for r in rows], ["0"] * PARTITIONS, described)  # LAG
        state = self.groups("--describe", "--group", group, "--state")
        self.assertRegex(state, r"\bEmpty\b", state)

        deleted = self.groups("--delete", "--group", group)
        self.assertIn("successful", deleted)
        self.assertNotIn(group, self.listed())
        self.assert_sent(self.tools_sent, TOOL_SENDS)


if __name__ == "__main__":
    unittest.main()
