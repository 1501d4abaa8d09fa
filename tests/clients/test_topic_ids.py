"""Topic ids (issue 18): every topic has a random v4 UUID, kept in its topic.conf.

- Kafka's own `kafka-topics --describe` shows a TopicId (from Metadata v10+), the same
  on every call, the one topic.conf holds, still the same after a broker restart, and a
  different one once the topic is deleted and created again under the same name.
- Kafka's Java Admin client gets the id CreateTopics v7 answers, describes the topic by
  that id (Metadata v12), deletes it by id (DeleteTopics v6), and is then told the id is
  unknown (UNKNOWN_TOPIC_ID).

The migration that gives the topics of an older data directory their ids is checked in
test_data_dir_upgrade.py, on the directory the release before the format marker wrote.
"""

import os
import re
import subprocess
import sys
import tempfile
import unittest

import broker  # noqa: F401  (makes the Debian client packages importable)
from broker import BrokerTestCase, unique_name

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import kafka_dist  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ZERO_UUID = "AAAAAAAAAAAAAAAAAAAAAA"


def topic_conf_id(data_dir, topic):
    with open(os.path.join(data_dir, "topics", topic, "topic.conf")) as f:
        ids = [line.strip()[3:] for line in f if line.startswith("id=")]
    assert len(ids) == 1, ids
    return ids[0]


class KafkaTopicsShowsTheTopicId(BrokerTestCase):
    def kafka_topics(self, *args):
        r = kafka_dist.run_tool("kafka-topics", "--bootstrap-server", self.broker.bootstrap,
                                *args)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr + self.broker_log())
        return r.stdout

    def described_id(self, topic):
        out = self.kafka_topics("--describe", "--topic", topic)
        ids = re.findall(r"TopicId: (\S+)", out)
        self.assertEqual(len(ids), 1, out)
        self.assertRegex(ids[0], r"^[A-Za-z0-9_-]{22}$")
        self.assertNotEqual(ids[0], ZERO_UUID, out)
        return ids[0]

    def test_the_id_is_stable_survives_a_restart_and_changes_with_re_creation(self):
        topic = unique_name("ids")
        self.kafka_topics("--create", "--topic", topic, "--partitions", "2")
        first = self.described_id(topic)
        self.assertEqual(self.described_id(topic), first, "the same id on every call")
        self.assertEqual(topic_conf_id(self.broker.data_dir, topic), first)

        self.broker.stop()
        self.broker.start()
        self.assertEqual(self.described_id(topic), first, "the id survives a restart")

        self.kafka_topics("--delete", "--topic", topic)
        self.kafka_topics("--create", "--topic", topic, "--partitions", "2")
        second = self.described_id(topic)
        self.assertNotEqual(second, first, "a re-created topic gets a new id")
        self.assertEqual(topic_conf_id(self.broker.data_dir, topic), second)


class JavaAdminByTopicId(BrokerTestCase):
    def test_create_describe_and_delete_by_id(self):
        with tempfile.TemporaryDirectory(prefix="sluice-java-ids-") as classes:
            java_cp = kafka_dist.compile_java([os.path.join(HERE, "java", "TopicIds.java")],
                                              classes)
            topic = unique_name("by-id")
            r = subprocess.run(
                [kafka_dist.java(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                 "-Dlog4j2.configurationFile=" + kafka_dist._log4j2_file("SYSTEM_ERR", "WARN"),
                 "-cp", java_cp, "TopicIds", self.broker.bootstrap, topic],
                capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr + self.broker_log())
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 4, r.stdout)
        created = lines[0].split()
        self.assertEqual(created[0], "created")
        topic_id = created[1]
        self.assertNotEqual(topic_id, ZERO_UUID)
        self.assertEqual(lines[1], "described %s %s 3" % (topic, topic_id))
        self.assertEqual(lines[2], "deleted %s" % topic_id)
        self.assertEqual(lines[3], "after delete UnknownTopicIdException")
        self.assertFalse(os.path.exists(os.path.join(self.broker.data_dir, "topics", topic)))


if __name__ == "__main__":
    unittest.main()
