"""Stage processes as members of one consumer group, against the built-in broker:
a member killed with -9 hands its partitions over after the stage's
session_timeout, and a member paused for a full queue fetches again the
partitions a rebalance gives back to it."""

import os
import unittest

from broker import wait_until
from stage_fixture import RETRY, OneStageTest, read_topic


class StageRebalanceTest(OneStageTest):

    def pipeline(self, extra_stage_yaml):
        return self.write_pipeline("    options: {}\n" + RETRY + extra_stage_yaml)

    def test_a_killed_members_partitions_move_to_the_survivor_after_the_session_timeout(self):
        # 6 s instead of librdkafka's 45 s: the 30 s bound below fails if the setting is not applied.
        path = self.pipeline("    session_timeout: 6s\n")
        first, second = self.start_stage(path), self.start_stage(path)
        total = 3 * 3  # input and its two delay topics, 3 partitions each

        def assigned(stage):
            return stage.metric("kafka_consumer_assigned_partitions") or 0

        wait_until(lambda: assigned(first) > 0 and assigned(second) > 0
                   and assigned(first) + assigned(second) == total, 60, 0.2, "both members assigned")
        first.kill9()
        wait_until(lambda: assigned(second) == total, 30, 0.2, "the survivor owns every partition")
        values = ["after-%d" % i for i in range(30)]
        self.produce(values)
        out = read_topic(self.broker.bootstrap, self.output, 30)
        self.assertEqual({m.value().decode() for m in out}, set(values))

    def test_partitions_paused_for_a_full_queue_are_fetched_again_after_a_rebalance(self):
        # librdkafka keeps a partition's pause flag after a revoke: a member paused for a
        # full queue that gets its partitions back in a later rebalance must fetch them.
        path = self.pipeline("    session_timeout: 6s\n"
                             "    queue: {max_in_flight: 1, batch_size: 1, max_buffered_records: 10}\n")
        first = self.start_stage(path)
        # Halving a full buffer of 10 takes 2.5 s, past the runtime's 2 s before a real pause.
        values = ["sleep:500:%d" % i for i in range(30)]
        self.produce(values)
        wait_until(lambda: any("paused consumption" in e.get("msg", "") for e in first.log_events()),
                   60, 0.2, "the first member pausing for its full queue")
        second = self.start_stage(path, workdir=os.path.join(self.tmp, "second"))
        wait_until(lambda: (second.metric("kafka_consumer_assigned_partitions") or 0) > 0, 60, 0.2,
                   "a rebalance giving the second member partitions")
        second.kill9()  # the first member gets every partition back
        # The kill may redeliver a record or two, so wait for every value, not for 30 records.
        def delivered():
            return {m.value().decode() for m in read_topic(self.broker.bootstrap, self.output, 30, timeout=3)}
        wait_until(lambda: delivered() >= set(values), 120, 1,
                   "every record, the first member's too (a partition stuck paused?)")


if __name__ == "__main__":
    unittest.main()
