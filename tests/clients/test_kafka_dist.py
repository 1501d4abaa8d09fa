"""tests/kafka_dist.py runs Apache Kafka itself (pinned in scripts/kafka/pom.xml): a
single KRaft node and a three-node KRaft cluster start on 127.0.0.1 free ports, Kafka's
own kafka-topics creates a topic replicated three times, kcat produces and consumes
through it, and stop() ends every node by its PID with the logs left in place. This is
the launcher later tests and benches use to run sluice's pipelines on real Kafka."""

import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import kafka_dist  # noqa: E402


def kcat(bootstrap, *args, data=None):
    return subprocess.run(["kcat", "-b", bootstrap] + list(args), input=data, text=True,
                          capture_output=True, timeout=60)


class KafkaDistTestCase(unittest.TestCase):
    def start_cluster(self, nodes):
        tmp = tempfile.TemporaryDirectory(prefix="kafka-dist-test-")
        self.addCleanup(tmp.cleanup)
        cluster = kafka_dist.KafkaCluster(nodes=nodes, base_dir=tmp.name)
        self.addCleanup(cluster.stop)
        return cluster

    def round_trip(self, cluster, topic, partitions, replication):
        r = kafka_dist.run_tool("kafka-topics", "--bootstrap-server", cluster.bootstrap,
                                "--create", "--topic", topic, "--partitions", partitions,
                                "--replication-factor", replication)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr + cluster.logs())
        lines = ["%s-%d" % (topic, i) for i in range(100)]
        r = kcat(cluster.bootstrap, "-P", "-t", topic, "-X", "acks=all",
                 data="\n".join(lines) + "\n")
        self.assertEqual(r.returncode, 0, r.stderr + cluster.logs())
        r = kcat(cluster.bootstrap, "-C", "-t", topic, "-e", "-q")
        self.assertEqual(r.returncode, 0, r.stderr + cluster.logs())
        self.assertEqual(sorted(r.stdout.split()), sorted(lines))


class SingleNode(KafkaDistTestCase):
    def test_a_single_node_serves_kafka_tools_and_kcat(self):
        cluster = self.start_cluster(1)
        self.round_trip(cluster, "smoke-single", 2, 1)
        r = kafka_dist.run_tool("kafka-topics", "--bootstrap-server", cluster.bootstrap, "--list")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("smoke-single", r.stdout.split())

        node = cluster.nodes[0]
        pid = node.pid
        cluster.stop()
        self.assertFalse(node.is_running())
        with self.assertRaises(ProcessLookupError):
            os.kill(pid, 0)
        self.assertIn("Kafka Server started", node.log_tail(100000))


class ThreeNodes(KafkaDistTestCase):
    def test_three_nodes_replicate_a_topic_three_ways(self):
        cluster = self.start_cluster(3)
        self.assertEqual(len({n.broker_port for n in cluster.nodes}), 3)
        self.round_trip(cluster, "smoke-rf3", 3, 3)

        r = kafka_dist.run_tool("kafka-topics", "--bootstrap-server", cluster.nodes[1].bootstrap,
                                "--describe", "--topic", "smoke-rf3")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ReplicationFactor: 3", r.stdout)
        partitions = [line for line in r.stdout.splitlines() if "Partition:" in line]
        self.assertEqual(len(partitions), 3, r.stdout)
        for line in partitions:
            self.assertRegex(line, r"Replicas: \d,\d,\d\s")

        # Every node answers for the whole cluster.
        for node in cluster.nodes:
            self.assertEqual(kafka_dist.brokers_in_metadata(node.bootstrap), 3)

        cluster.stop()
        self.assertFalse(any(n.is_running() for n in cluster.nodes))
        for n in cluster.nodes:
            self.assertTrue(os.path.getsize(n.log_path) > 0, n.log_path)


if __name__ == "__main__":
    unittest.main()
