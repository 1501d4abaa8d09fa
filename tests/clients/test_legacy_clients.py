"""Old clients: kafka-python pinned to broker versions 0.9 and 0.10 produces
legacy message sets (magic 0 and 1, with and without gzip) through Produce
v0-v2; the broker converts them once to record batches and reads them back."""

import unittest

from broker import BrokerProcess, unique_name
from kafka import KafkaConsumer, KafkaProducer, TopicPartition


class LegacyMessageSetTest(unittest.TestCase):

    def setUp(self):
        self.broker = BrokerProcess()

    def tearDown(self):
        self.broker.stop()

    def round_trip(self, api_version, compression):
        topic = unique_name("legacy")
        p = KafkaProducer(bootstrap_servers=self.broker.bootstrap, api_version=api_version,
                          compression_type=compression)
        for i in range(200):
            p.send(topic, key=b"k%d" % i, value=b"v%d" % i, partition=0)
        p.flush(timeout=30)
        p.close()
        c = KafkaConsumer(bootstrap_servers=self.broker.bootstrap, consumer_timeout_ms=3000)
        c.assign([TopicPartition(topic, 0)])
        c.seek_to_beginning()
        got = [(m.offset, m.key, m.value) for m in c]
        c.close()
        self.assertEqual(got, [(i, b"k%d" % i, b"v%d" % i) for i in range(200)])

    def test_magic0_message_sets_from_a_0_9_client(self):
        self.round_trip((0, 9), None)

    def test_magic1_message_sets_from_a_0_10_client(self):
        self.round_trip((0, 10, 1), None)

    def test_gzip_wrapped_magic1_message_sets(self):
        self.round_trip((0, 10, 1), "gzip")


if __name__ == "__main__":
    unittest.main()
