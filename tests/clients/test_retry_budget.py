"""Retries cannot starve the input: records from delay topics hold at most half
of a stage's workers, whatever the configuration. A delay topic full of records
whose dependency hangs (fault-injector `slow-failing:MS:`) is being retried
while new input arrives; the input must be processed in the meantime, not after
the backlog (found by the 1M-event chaos run, where hanging downloads on the
delay topics took every worker)."""

import unittest

import ck_helpers
from broker import wait_until
from stage_fixture import OneStageTest, read_topic

SLOW = 24
GOOD = 40


class RetryBudgetTest(OneStageTest):

    def timeouts_so_far(self):
        total = 0.0
        for line in self.stage.get("/metrics").splitlines():
            if line.startswith("kafka_processing_errors_total{") and 'category="timeout"' in line:
                total += float(line.rsplit(" ", 1)[1])
        return total

    def test_the_input_flows_while_delay_topics_are_full_of_hanging_retries(self):
        path = self.write_pipeline(
            "    queue: {workers: 4, batch_size: 1, in_flight_per_partition: 8, max_in_flight: 16}\n"
            "    retry: {max_attempts: 1, delay_topics: [100ms, 100ms]}\n")
        # The backlog: records already on the first delay topic, each hanging 3 s per attempt.
        p = ck_helpers.producer(self.broker.bootstrap)
        for d in ck_helpers.produce_all(p, self.input + ".retry.1",
                                        [{"value": b"slow-failing:3000:", "key": b"s%d" % i}
                                         for i in range(SLOW)]):
            self.assertIsNone(d.error)
        self.start_stage(path)
        wait_until(lambda: (self.stage.metric("kafka_messages_consumed_total", topic=self.input + ".retry.1")
                            or 0) >= 8, 60, 0.05, "the stage to take up the backlog")
        self.produce(["good-%d" % i for i in range(GOOD)])
        got = read_topic(self.broker.bootstrap, self.output, GOOD, timeout=120)
        hung = self.timeouts_so_far()
        self.assertEqual(sorted(m.value().decode() for m in got), sorted("good-%d" % i for i in range(GOOD)))
        # Without the budget the new input waits behind 16 hanging batches on 4 workers
        # (16 timeouts first); with it, two workers stay free for the input.
        self.assertLess(hung, 8, "the input waited for the retries (%d timed out first)" % hung)


if __name__ == "__main__":
    unittest.main()
