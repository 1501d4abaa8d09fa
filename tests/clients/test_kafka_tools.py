"""Apache Kafka's own command-line tools against `sluice broker`, written as the runbooks
write them (only the address changes): kafka-topics, kafka-console-producer and
kafka-console-consumer, kafka-consumer-groups, kafka-broker-api-versions, kafka-cluster
cluster-id, kafka-log-dirs, and
kafka-verifiable-producer / kafka-verifiable-consumer. The tools are the release pinned in
scripts/kafka/pom.xml, run through tests/kafka_dist.py; docs/kafka-tools.md lists what
works, option by option."""

import json
import os
import sys
import unittest

import broker  # noqa: F401  (makes the Debian client packages importable)
from broker import BrokerTestCase, unique_name

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import kafka_dist  # noqa: E402


class KafkaToolsTestCase(BrokerTestCase):
    def tool(self, name, *args, input=None, ok=True):
        r = kafka_dist.run_tool(name, "--bootstrap-server", self.broker.bootstrap, *args,
                                input=input, timeout=180)
        if ok:
            self.assertEqual(r.returncode, 0, "%s %s\n%s%s%s" % (name, " ".join(args), r.stdout,
                                                                r.stderr, self.broker_log()))
        return r


class KafkaTopics(KafkaToolsTestCase):
    def test_create_with_configs_describe_alter_list_and_delete(self):
        topic = unique_name("tools-topic")
        self.tool("kafka-topics", "--create", "--topic", topic, "--partitions", "3",
                  "--config", "retention.ms=86400000", "--config", "cleanup.policy=delete")
        described = self.tool("kafka-topics", "--describe", "--topic", topic).stdout
        self.assertIn("PartitionCount: 3", described)
        self.assertIn("retention.ms=86400000", described)
        self.assertIn("cleanup.policy=delete", described)
        # Every partition led by the one node, which is its only replica and in sync.
        self.assertEqual(described.count("Leader: 0\tReplicas: 0\tIsr: 0"), 3, described)

        self.tool("kafka-topics", "--alter", "--topic", topic, "--partitions", "5")
        self.assertIn("PartitionCount: 5", self.tool("kafka-topics", "--describe", "--topic",
                                                     topic).stdout)
        self.assertIn(topic, self.tool("kafka-topics", "--list").stdout.split())
        # One node: nothing is ever under-replicated.
        self.assertEqual(self.tool("kafka-topics", "--describe",
                                   "--under-replicated-partitions").stdout.strip(), "")

        self.tool("kafka-topics", "--delete", "--topic", topic)
        self.assertNotIn(topic, self.tool("kafka-topics", "--list").stdout.split())

    def test_creating_an_existing_topic_names_it(self):
        topic = unique_name("tools-twice")
        self.tool("kafka-topics", "--create", "--topic", topic)
        r = self.tool("kafka-topics", "--create", "--topic", topic, ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("TopicExistsException: topic '%s' already exists" % topic, r.stdout + r.stderr)


class KafkaConfigs(KafkaToolsTestCase):
    def configs(self, *args):
        return self.tool("kafka-configs", *args).stdout

    def test_topic_settings_are_added_described_and_deleted(self):
        topic = unique_name("tools-configs")
        self.tool("kafka-topics", "--create", "--topic", topic)
        entity = ("--entity-type", "topics", "--entity-name", topic)
        self.configs("--alter", *entity, "--add-config",
                     "retention.ms=86400000,cleanup.policy=[compact,delete]")
        described = self.configs("--describe", *entity)
        self.assertIn("retention.ms=86400000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:"
                      "retention.ms=86400000, DEFAULT_CONFIG:log.retention.ms=604800000}", described)
        self.assertIn("cleanup.policy=compact,delete", described)
        self.configs("--alter", *entity, "--delete-config", "retention.ms")
        described = self.configs("--describe", *entity)
        self.assertNotIn("retention.ms", described)
        self.assertIn("cleanup.policy=compact,delete", described)

        r = self.tool("kafka-configs", "--alter", *entity, "--add-config", "retention.ms=soon", ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("InvalidConfigurationException: retention.ms must be an integer >= -1, got 'soon'",
                      r.stdout + r.stderr)

    def test_the_runbooks_min_insync_replicas_command_runs_as_written(self):
        # Seed 003's preventive measure, verbatim but for the address.
        self.tool("kafka-topics", "--create", "--topic", "market.ticks.asx", "--partitions", "4")
        self.configs("--alter", "--entity-type", "topics", "--entity-name", "market.ticks.asx",
                     "--add-config", "min.insync.replicas=2")
        described = self.configs("--describe", "--entity-type", "topics", "--entity-name",
                                 "market.ticks.asx")
        self.assertIn("min.insync.replicas=2 sensitive=false", described)

    def test_broker_defaults_reach_topics_and_survive_a_restart(self):
        topic = unique_name("tools-broker-configs")
        self.tool("kafka-topics", "--create", "--topic", topic)
        self.configs("--alter", "--entity-type", "brokers", "--entity-name", "0", "--add-config",
                     "log.retention.ms=3600000")
        self.configs("--alter", "--entity-type", "brokers", "--entity-default", "--add-config",
                     "log.segment.bytes=2000000")
        self.broker.restart()
        broker = self.configs("--describe", "--entity-type", "brokers", "--entity-name", "0")
        self.assertIn("log.retention.ms=3600000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:"
                      "log.retention.ms=3600000, DEFAULT_CONFIG:log.retention.ms=604800000}", broker)
        self.assertIn("log.segment.bytes=2000000", broker)
        described = self.tool("kafka-topics", "--describe", "--topic", topic).stdout
        self.assertIn("retention.ms=3600000", described)
        self.assertIn("segment.bytes=2000000", described)

        r = self.tool("kafka-configs", "--alter", "--entity-type", "brokers", "--entity-name", "0",
                      "--add-config", "num.io.threads=4", ok=False)
        self.assertIn("'num.io.threads' cannot be changed while the broker runs", r.stdout + r.stderr)


class ConsoleClients(KafkaToolsTestCase):
    def test_keys_and_headers_round_trip_through_a_group(self):
        topic, group = unique_name("tools-console"), unique_name("tools-group")
        lines = "h1:a,h2:b\tk1\tv1\nh1:c\tk2\tv2\n"
        self.tool("kafka-console-producer", "--topic", topic, "--reader-property",
                  "parse.key=true", "--reader-property", "parse.headers=true", input=lines)
        r = self.tool("kafka-console-consumer", "--topic", topic, "--from-beginning", "--group",
                      group, "--formatter-property", "print.key=true", "--formatter-property",
                      "print.headers=true", "--max-messages", "2", "--timeout-ms", "30000")
        self.assertEqual(r.stdout, lines)
        # The console consumer committed its position in the group.
        described = self.tool("kafka-consumer-groups", "--describe", "--group", group).stdout
        row = [line.split() for line in described.splitlines() if line.startswith(group)]
        self.assertEqual(row, [[group, topic, "0", "2", "2", "0", "-", "-", "-"]], described)


class ConsumerGroups(KafkaToolsTestCase):
    """kafka-consumer-groups as the runbooks use it on a stopped group: list, describe,
    reset offsets (earliest, shift, datetime), delete a topic's offsets, delete the group."""

    # Ten records one second apart from 2023-11-14T22:13:20Z (1700000000000 ms).
    FIRST_MS = 1_700_000_000_000

    def offsets(self, group):
        """{partition: CURRENT-OFFSET} from --describe --offsets ("-": none committed)."""
        out = self.tool("kafka-consumer-groups", "--describe", "--group", group,
                        "--offsets").stdout
        rows = [line.split() for line in out.splitlines() if line.startswith(group + " ")]
        return {int(r[2]): r[3] for r in rows}

    def test_list_describe_reset_delete_offsets_and_delete(self):
        from confluent_kafka import Producer
        topic, group = unique_name("tools-groups"), unique_name("tools-cg")
        p = Producer({"bootstrap.servers": self.broker.bootstrap, "broker.address.family": "v4"})
        for i in range(10):
            p.produce(topic, key=b"k", value=b"v%d" % i, timestamp=self.FIRST_MS + i * 1000)
        self.assertEqual(p.flush(60), 0)
        self.tool("kafka-console-consumer", "--topic", topic, "--from-beginning", "--group", group,
                  "--max-messages", "10", "--timeout-ms", "30000")

        self.assertIn(group, self.tool("kafka-consumer-groups", "--list").stdout.split())
        self.assertEqual(self.offsets(group), {0: "10"})
        state = self.tool("kafka-consumer-groups", "--describe", "--group", group, "--state").stdout
        self.assertIn("Empty", state)
        members = self.tool("kafka-consumer-groups", "--describe", "--group", group,
                            "--members").stdout
        self.assertIn("CONSUMER-ID", members)
        self.assertEqual([line for line in members.splitlines() if line.startswith(group)], [],
                         "a stopped group has no members")

        def reset(*how):
            self.tool("kafka-consumer-groups", "--reset-offsets", "--group", group, "--topic",
                      topic, *how, "--execute")
            return self.offsets(group)

        self.assertEqual(reset("--to-earliest"), {0: "0"})
        self.assertEqual(reset("--shift-by", "3"), {0: "3"})
        # The first record at or after 22:13:25.000 is the sixth (offset 5).
        self.assertEqual(reset("--to-datetime", "2023-11-14T22:13:25.000"), {0: "5"})

        self.tool("kafka-consumer-groups", "--delete-offsets", "--group", group, "--topic", topic)
        self.assertEqual(self.offsets(group), {})
        self.tool("kafka-consumer-groups", "--delete", "--group", group)
        self.assertNotIn(group, self.tool("kafka-consumer-groups", "--list").stdout.split())


class Cluster(KafkaToolsTestCase):
    def test_cluster_id_comes_from_describe_cluster(self):
        # kafka-cluster asks DescribeCluster (the Admin client's describeCluster()).
        r = kafka_dist.run_tool("kafka-cluster", "cluster-id", "--bootstrap-server",
                                self.broker.bootstrap, log_config=kafka_dist.request_log_config())
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr[-4000:] + self.broker_log())
        self.assertRegex(r.stdout, r"^Cluster ID: \S+$")
        self.assertEqual(kafka_dist.api_versions_sent(r.stderr).get("DESCRIBE_CLUSTER"), {2})


class BrokerApiVersions(KafkaToolsTestCase):
    def test_lists_every_served_api_as_usable(self):
        out = self.tool("kafka-broker-api-versions").stdout
        for api in ("Produce(0)", "Fetch(1)", "Metadata(3)", "DescribeLogDirs(35)",
                    "SaslAuthenticate(36)", "DescribeCluster(60)"):
            line = [x for x in out.splitlines() if x.strip().startswith(api)]
            self.assertEqual(len(line), 1, out)
            self.assertIn("[usable:", line[0])


class LogDirs(KafkaToolsTestCase):
    def test_describe_reports_each_partition_size_as_on_disk(self):
        topic = unique_name("tools-logdirs")
        self.tool("kafka-topics", "--create", "--topic", topic, "--partitions", "2")
        self.tool("kafka-console-producer", "--topic", topic, "--producer-property",
                  "partitioner.class=org.apache.kafka.clients.producer.RoundRobinPartitioner",
                  input="".join("record %d\n" % i for i in range(50)))
        r = self.tool("kafka-log-dirs", "--describe", "--topic-list", topic + ",no-such-topic")
        report = json.loads(r.stdout.strip().splitlines()[-1])
        [node] = report["brokers"]
        [log_dir] = node["logDirs"]
        self.assertIsNone(log_dir["error"])
        self.assertEqual(log_dir["logDir"], os.path.abspath(self.broker.data_dir))
        sizes = {p["partition"]: p["size"] for p in log_dir["partitions"]}
        self.assertEqual(sorted(sizes), ["%s-0" % topic, "%s-1" % topic])
        for name, size in sizes.items():
            partition_dir = os.path.join(self.broker.data_dir, "topics", topic, name.rsplit("-", 1)[1])
            on_disk = sum(os.path.getsize(os.path.join(partition_dir, f))
                          for f in os.listdir(partition_dir) if f.endswith(".log"))
            self.assertGreater(size, 0)
            self.assertEqual(size, on_disk, name)


class UnservedApis(KafkaToolsTestCase):
    def test_a_tool_needing_an_api_the_broker_does_not_serve_is_told_so(self):
        # The tools read ApiVersions first: an API missing there is refused by the
        # client with its name, and the broker never has to close a connection.
        r = kafka_dist.run_tool("kafka-leader-election", "--bootstrap-server",
                                self.broker.bootstrap, "--election-type", "preferred",
                                "--all-topic-partitions", timeout=180)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("The node does not support ELECT_LEADERS", r.stdout + r.stderr)
        self.assertNotIn("closing connection", self.broker.stderr_tail(400))


class VerifiableClients(KafkaToolsTestCase):
    def test_every_acknowledged_message_is_consumed(self):
        topic, count = unique_name("tools-verifiable"), 500
        self.tool("kafka-topics", "--create", "--topic", topic, "--partitions", "3")
        produced = self.tool("kafka-verifiable-producer", "--topic", topic, "--max-messages",
                             str(count), "--acks", "-1").stdout
        acked = [json.loads(line) for line in produced.splitlines()
                 if '"name":"producer_send_success"' in line]
        self.assertEqual(len(acked), count, produced[-2000:])
        consumed = self.tool("kafka-verifiable-consumer", "--topic", topic, "--group-id",
                             unique_name("tools-verifiable-group"), "--max-messages",
                             str(count)).stdout
        events = [json.loads(line) for line in consumed.splitlines() if line.startswith("{")]
        seen = {(r["partition"], offset)
                for e in events if e["name"] == "records_consumed"
                for r in e["partitions"] for offset in range(r["minOffset"], r["maxOffset"] + 1)}
        self.assertEqual(seen, {(a["partition"], a["offset"]) for a in acked})
        commits = [e for e in events if e["name"] == "offsets_committed"]
        self.assertTrue(commits and all(e["success"] for e in commits), consumed[-2000:])


if __name__ == "__main__":
    unittest.main()
