"""Processor state that survives kill -9 and moves with a partition: the
`count-by-key` processor (a running count per key, checkpointed with the input
offset in the stage's state_store) against the built-in broker. The count
emitted for a record must never depend on crashes or rebalances: it is always
the record's rank among the records of its key."""

import collections
import json
import os
import subprocess
import time
import unittest

import ck_helpers
from broker import sluice_bin, wait_until
from stage_fixture import OneStageTest, read_topic

KEYS = 7


class StageStateTest(OneStageTest):

    def write_counting_pipeline(self, state_store="state"):
        path = os.path.join(self.tmp, "pipeline.yaml")
        with open(path, "w") as f:
            f.write("pipeline: counting\nbootstrap: %s\nstages:\n  - name: count\n    input: %s\n"
                    "    outputs: [%s]\n    processor: count-by-key\n%s"
                    "    queue: {in_flight_per_partition: 4, batch_size: 8, workers: 4}\n"
                    % (self.broker.bootstrap, self.input, self.output,
                       "    state_store: %s\n" % state_store if state_store else ""))
        return path

    def produce_keyed(self, n, start=0):
        """n records with keys k0..k6; returns {(key, offset): rank within its key}."""
        p = ck_helpers.producer(self.broker.bootstrap)
        msgs = [{"value": b"v%d" % i, "key": b"k%d" % (i % KEYS)} for i in range(start, start + n)]
        deliveries = ck_helpers.produce_all(p, self.input, msgs)
        for d in deliveries:
            self.assertIsNone(d.error)
        return deliveries

    @staticmethod
    def expected_counts(deliveries):
        ranks, seen = {}, collections.Counter()
        for d in sorted(deliveries, key=lambda d: (d.partition, d.offset)):
            key = d.key.decode()
            seen[key] += 1
            ranks[(key, d.offset)] = seen[key]
        return ranks

    def check_outputs(self, deliveries):
        expected = self.expected_counts(deliveries)
        outputs = read_topic(self.broker.bootstrap, self.output, len(expected), timeout=120)
        got = collections.defaultdict(set)
        for m in outputs:
            v = json.loads(m.value())
            got[(v["key"], v["offset"])].add(v["count"])
        missing = [k for k in expected if k not in got]
        self.assertFalse(missing, "inputs without an output: %s" % missing[:10])
        wrong = {k: (sorted(c), expected[k]) for k, c in got.items() if c != {expected[k]}}
        self.assertFalse(wrong, "counts that depend on the crash (got, expected): %s"
                         % dict(list(wrong.items())[:10]))
        return outputs

    def checkpoints(self):
        root = os.path.join(self.tmp, "state", "checkpoints", "counting.count", self.input)
        return os.listdir(root) if os.path.isdir(root) else []

    def test_counts_survive_kill_9_mid_stream(self):
        path = self.write_counting_pipeline()
        first = self.produce_keyed(2000)
        stage = self.start_stage(path)
        # Checkpoints of every partition exist (in the state_store, relative to the
        # pipeline file): what follows must be counted on top of them.
        wait_until(lambda: len(self.checkpoints()) == self.PARTITIONS, 60, 0.1, "a checkpoint per partition")
        second = self.produce_keyed(1000, start=2000)
        time.sleep(0.3)
        stage.kill9()  # mid-stream: part of `second` processed, maybe not checkpointed
        third = self.produce_keyed(1000, start=3000)
        self.start_stage(path)
        outputs = self.check_outputs(first + second + third)
        self.assertGreaterEqual(len(outputs), 4000)

    def test_state_moves_with_a_partition_to_another_member(self):
        path = self.write_counting_pipeline()
        first = self.produce_keyed(1500)
        a = self.start_stage(path, workdir=os.path.join(self.tmp, "a"))
        wait_until(lambda: (a.metric("kafka_messages_consumed_total") or 0) >= 1500, 60, 0.05,
                   "the first member to read everything")
        time.sleep(1.5)  # a commit tick: state checkpointed with the offsets
        self.start_stage(path, workdir=os.path.join(self.tmp, "b"))  # the group rebalances
        a.kill9()  # and the first member dies: the second restores every partition
        second = self.produce_keyed(1500, start=1500)
        self.check_outputs(first + second)

    def test_a_stateful_processor_without_a_state_store_refuses_to_start(self):
        path = self.write_counting_pipeline(state_store=None)
        run = subprocess.run([sluice_bin(), "run", path], capture_output=True, text=True, timeout=60)
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("needs `state_store:`", run.stderr)


if __name__ == "__main__":
    unittest.main()
