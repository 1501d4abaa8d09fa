"""An idempotent producer whose state the broker no longer has — its topic was
deleted and re-created under it, or DeleteRecords removed its batches before a
broker restart — is told UNKNOWN_PRODUCER_ID (Kafka, KIP-360), so librdkafka
bumps its epoch and starts again at sequence 0: every later message is
delivered, instead of OUT_OF_ORDER_SEQUENCE_NUMBER forever."""

import unittest

import broker  # noqa: F401  (makes the Debian client packages importable)
from broker import BrokerTestCase, unique_name, wait_until
import ck_helpers
import wire
from ck_helpers import consume_partitions

from confluent_kafka.admin import AdminClient, NewTopic


def values(prefix, n):
    return [b"%s-%d" % (prefix, i) for i in range(n)]


class LostProducerState(BrokerTestCase):
    def idempotent_producer(self):
        return ck_helpers.producer(self.broker.bootstrap, **{
            "enable.idempotence": True, "message.timeout.ms": 60000, "linger.ms": 0})

    def send(self, p, topic, vals):
        """Produces `vals` to partition 0 and waits; returns the delivery errors."""
        errors = []

        def cb(err, msg):
            if err is not None:
                errors.append(err)

        for v in vals:
            p.produce(topic, value=v, partition=0, on_delivery=cb)
            p.poll(0)
        self.assertEqual(p.flush(90), 0, "messages still undelivered")
        return errors

    def read(self, topic):
        got, _ = consume_partitions(self.broker.bootstrap, topic, [0], timeout=60)
        return [r.value for r in got[0]]

    def test_topic_deleted_and_recreated_under_a_producer(self):
        topic = unique_name("recreated")
        admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})
        admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(30)
        p = self.idempotent_producer()
        self.assertEqual(self.send(p, topic, values(b"before", 30)), [])

        admin.delete_topics([topic])[topic].result(30)
        wait_until(lambda: topic not in admin.list_topics(timeout=10).topics, 30,
                   message="the topic to be gone")
        admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(30)

        after = values(b"after", 30)
        self.assertEqual(self.send(p, topic, after), [],
                         "every message after the re-creation is delivered")
        self.assertEqual(self.read(topic), after, "exactly once, in order")
        p.produce(topic, value=b"still-usable", partition=0)
        self.assertEqual(p.flush(30), 0)

    def test_delete_records_then_restart_under_a_producer(self):
        topic = unique_name("truncated")
        p = self.idempotent_producer()
        self.assertEqual(self.send(p, topic, values(b"before", 30)), [])
        result = wire.delete_records_v0(self.broker.port, topic, {0: -1})
        self.assertEqual(result[0], (30, 0), "every record before the restart is deleted")
        self.broker.restart()

        after = values(b"after", 30)
        self.assertEqual(self.send(p, topic, after), [],
                         "every message after the restart is delivered")
        self.assertEqual(self.read(topic), after)


if __name__ == "__main__":
    unittest.main()
