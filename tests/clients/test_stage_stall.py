"""A stage that cannot make progress says so (issue 16, probe 5): when one
record's outputs keep failing delivery, /readyz answers 503 naming the
partition, offset and last error, and sluice_stage_stalled is 1; once the cause
is fixed the stage delivers, commits and is ready again by itself — re-creating
its producer when the broker no longer accepts its producer id."""

import json
import subprocess
import unittest
import urllib.error

from broker import sluice_bin, wait_until
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from stage_fixture import OneStageTest, read_topic

STALL = "    stall: {max_delivery_failures: 3, commit_timeout: 0}\n"


class StageStallTest(OneStageTest):

    def create_output(self, config=None):
        admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})  # alive until answered
        fut = admin.create_topics([NewTopic(self.output, self.PARTITIONS, 1, config=config or {})])
        fut[self.output].result(timeout=30)

    def delete_output(self):
        admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})
        admin.delete_topics([self.output], operation_timeout=10)[self.output].result(timeout=30)

    def readyz(self):
        """(status, body) of the stage's /readyz."""
        try:
            return 200, self.stage.get("/readyz")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def committed_total(self):
        c = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": "test.copy"})
        try:
            parts = [TopicPartition(self.input, p) for p in range(self.PARTITIONS)]
            return sum(max(tp.offset, 0) for tp in c.committed(parts, timeout=10))
        finally:
            c.close()

    def wait_ready(self, timeout=90):
        wait_until(lambda: self.readyz()[0] == 200, timeout, 0.2, "/readyz answers 200")

    def test_outputs_too_large_for_the_output_topic_make_the_stage_not_ready_until_fixed(self):
        self.create_output({"max.message.bytes": "1024"})
        self.start_stage(self.write_pipeline(STALL))
        self.wait_ready()
        values = ["big-%d-%s" % (i, "x" * 4000) for i in range(4)]
        self.produce(values)

        wait_until(lambda: self.readyz()[0] == 503, 90, 0.2, "/readyz turns 503 while deliveries fail")
        status, body = self.readyz()
        self.assertIn("stalled: %s-" % self.input, body)
        self.assertIn("at offset", body)
        self.assertIn("failed delivery", body)
        self.assertIn("last error: delivery to %s failed" % self.output, body)
        self.assertIn("since 20", body)
        self.assertEqual(self.stage.metric("sluice_stage_stalled", stage="copy"), 1)
        self.assertGreaterEqual(self.stage.metric("sluice_stage_stalls_total", stage="copy"), 1)
        self.assertEqual(self.committed_total(), 0, "nothing undelivered is committed")
        [state] = json.loads(self.stage.get("/status"))
        self.assertIn("failed delivery", state["stalled"] or "")
        shown = subprocess.run([sluice_bin(), "status", "--admin", "127.0.0.1:%d" % self.stage.port],
                               capture_output=True, text=True, timeout=30)
        self.assertIn("stalled", shown.stdout, shown.stderr)
        self.assertIn("stage copy is stalled: ", shown.stdout)

        # The fix: the topic again, with the default (1 MiB) limit. The broker
        # has no producer state for it: a producer that keeps its old sequence
        # numbers is refused until it starts afresh.
        self.delete_output()
        try:
            self.create_output()
        except Exception as e:  # the stage's producer may have auto-created it first
            self.assertIn("TOPIC_ALREADY_EXISTS", str(e))

        self.wait_ready(120)
        got = read_topic(self.broker.bootstrap, self.output, len(values), timeout=60)
        self.assertEqual(sorted(m.value().decode() for m in got), sorted(values), "every record, once")
        wait_until(lambda: self.committed_total() == len(values), 60, 0.2, "every input offset committed")
        self.assertEqual(self.stage.metric("sluice_stage_stalled", stage="copy"), 0)
        self.assertIsNone(json.loads(self.stage.get("/status"))[0]["stalled"])

    def test_deleting_the_output_topic_while_the_stage_runs_loses_nothing_and_it_recovers(self):
        self.create_output()
        self.start_stage(self.write_pipeline(STALL))
        self.wait_ready()
        before = ["before-%d" % i for i in range(30)]
        self.produce(before)
        wait_until(lambda: self.committed_total() == len(before), 60, 0.2, "the first records committed")

        self.delete_output()
        after = ["after-%d" % i for i in range(30)]
        self.produce(after)

        wait_until(lambda: self.committed_total() == len(before) + len(after), 120, 0.5,
                   "the records produced after the deletion committed (the stage did not wedge)")
        got = read_topic(self.broker.bootstrap, self.output, len(after), timeout=60)
        self.assertEqual(sorted(set(m.value().decode() for m in got)), sorted(after),
                         "every record after the deletion is in the (re-created) output")
        self.wait_ready()
        self.assertEqual(self.stage.metric("sluice_stage_stalled", stage="copy"), 0)


if __name__ == "__main__":
    unittest.main()
