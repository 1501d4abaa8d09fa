"""Topic settings the broker honours, seen from a real client (confluent_kafka /
librdkafka): message.timestamp.type=LogAppendTime replaces the producer's time with
the broker's and says so; message.timestamp.before.max.ms refuses a record too old with
INVALID_TIMESTAMP; segment.ms rolls the active segment; AlterConfigs (the legacy API,
what this client's alter_configs sends) replaces a topic's settings and a dynamic broker
default reaches a topic without its own value. docs/broker.md has the table of
settings."""

import os
import time
import unittest

import broker  # noqa: F401  (makes the Debian client packages importable)
from broker import BrokerTestCase, unique_name, wait_until
from confluent_kafka import (TIMESTAMP_CREATE_TIME, TIMESTAMP_LOG_APPEND_TIME, Consumer, KafkaError,
                             Producer, TopicPartition)
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

TIMEOUT_S = 30


class TopicConfigsTestCase(BrokerTestCase):
    def admin(self):
        # One client per test: a request's future fails once its client is destroyed.
        if getattr(self, "_admin", None) is None:
            self._admin = AdminClient({"bootstrap.servers": self.broker.bootstrap,
                                       "broker.address.family": "v4"})
        return self._admin

    def create(self, topic, config):
        fut = self.admin().create_topics([NewTopic(topic, 1, 1, config=config)])[topic]
        fut.result(timeout=TIMEOUT_S)

    def produce(self, topic, timestamp_ms=0):
        """Produces one record; returns its delivery error (None when acknowledged)."""
        outcome = []
        p = Producer({"bootstrap.servers": self.broker.bootstrap, "broker.address.family": "v4",
                      "message.timeout.ms": 10000, "retries": 0})
        p.produce(topic, value=b"v", timestamp=timestamp_ms, on_delivery=lambda err, msg: outcome.append(err))
        p.flush(TIMEOUT_S)
        self.assertEqual(len(outcome), 1)
        return outcome[0]

    def consume_one(self, topic):
        c = Consumer({"bootstrap.servers": self.broker.bootstrap, "broker.address.family": "v4",
                      "group.id": unique_name("g"), "enable.auto.commit": False})
        try:
            c.assign([TopicPartition(topic, 0, 0)])
            deadline = time.monotonic() + TIMEOUT_S
            while time.monotonic() < deadline:
                m = c.poll(1.0)
                if m is not None and not m.error():
                    return m
            self.fail("no record on %s%s" % (topic, self.broker_log()))
        finally:
            c.close()


class Timestamps(TopicConfigsTestCase):
    def test_log_append_time_replaces_the_producers_time(self):
        topic = unique_name("log-append-time")
        self.create(topic, {"message.timestamp.type": "LogAppendTime"})
        before = int(time.time() * 1000)
        self.assertIsNone(self.produce(topic, timestamp_ms=1000))
        kind, ts = self.consume_one(topic).timestamp()
        self.assertEqual(kind, TIMESTAMP_LOG_APPEND_TIME)
        self.assertGreaterEqual(ts, before)

    def test_create_time_is_kept_by_default(self):
        topic = unique_name("create-time")
        self.create(topic, {})
        self.assertIsNone(self.produce(topic, timestamp_ms=1000))
        self.assertEqual(self.consume_one(topic).timestamp(), (TIMESTAMP_CREATE_TIME, 1000))

    def test_a_record_older_than_before_max_ms_is_an_invalid_timestamp(self):
        topic = unique_name("bounded-time")
        self.create(topic, {"message.timestamp.before.max.ms": "3600000"})
        err = self.produce(topic, timestamp_ms=int(time.time() * 1000) - 2 * 86400 * 1000)
        self.assertIsNotNone(err)
        self.assertEqual(err.code(), KafkaError.INVALID_TIMESTAMP, err)
        self.assertIsNone(self.produce(topic))  # now: accepted


class Compression(TopicConfigsTestCase):
    def test_a_named_compression_type_stores_batches_with_that_codec(self):
        topic = unique_name("compression-type")
        self.create(topic, {"compression.type": "zstd"})
        self.assertIsNone(self.produce(topic))  # the producer sends it uncompressed
        self.assertEqual(self.consume_one(topic).value(), b"v")
        partition_dir = os.path.join(self.broker.data_dir, "topics", topic, "0")
        [log] = [f for f in os.listdir(partition_dir) if f.endswith(".log")]
        with open(os.path.join(partition_dir, log), "rb") as f:
            header = f.read(61)
        attributes = int.from_bytes(header[21:23], "big")
        self.assertEqual(attributes & 0x7, 4, "zstd is codec 4 in the batch attributes")


class Segments(TopicConfigsTestCase):
    def test_segment_ms_rolls_the_active_segment(self):
        topic = unique_name("segment-ms")
        self.create(topic, {"segment.ms": "1"})
        for _ in range(3):
            self.assertIsNone(self.produce(topic))
            time.sleep(0.01)
        partition_dir = os.path.join(self.broker.data_dir, "topics", topic, "0")
        logs = [f for f in os.listdir(partition_dir) if f.endswith(".log")]
        self.assertEqual(len(logs), 3, logs)


class AlteringSettings(TopicConfigsTestCase):
    def test_legacy_alter_configs_replaces_the_topics_settings(self):
        topic = unique_name("legacy-alter")
        self.create(topic, {"retention.ms": "5000"})
        res = ConfigResource(ConfigResource.Type.TOPIC, topic, set_config={"segment.bytes": "2000000"})
        self.admin().alter_configs([res])[res].result(timeout=TIMEOUT_S)
        described = self.admin().describe_configs([ConfigResource(ConfigResource.Type.TOPIC, topic)])
        configs = list(described.values())[0].result(timeout=TIMEOUT_S)
        self.assertEqual(configs["segment.bytes"].value, "2000000")
        self.assertEqual(configs["retention.ms"].value, "604800000",
                         "not named in the request: back to the default")

    def test_a_dynamic_broker_default_reaches_a_topic_without_its_own_value(self):
        topic = unique_name("broker-default")
        self.create(topic, {})
        res = ConfigResource(ConfigResource.Type.BROKER, "0",
                             set_config={"log.retention.ms": "123456"})
        self.admin().alter_configs([res])[res].result(timeout=TIMEOUT_S)

        def retention():
            described = self.admin().describe_configs([ConfigResource(ConfigResource.Type.TOPIC, topic)])
            return list(described.values())[0].result(timeout=TIMEOUT_S)["retention.ms"].value
        wait_until(lambda: retention() == "123456", 10, 0.2, "retention.ms from the broker default")


if __name__ == "__main__":
    unittest.main()
