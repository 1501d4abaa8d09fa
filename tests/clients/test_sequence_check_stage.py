"""sequence-check against the built-in broker with `sluice run`: ticks of many
symbols with every kind of seed 003's sequence trouble — small and large gaps,
out-of-order numbers, repeated message ids, a session reset after two silent
hours, a gap over 100 that halts a symbol — and the stage killed with kill -9
mid-stream and restarted, or its partitions moved to a second member. Every
tick must come out with exactly the classification the rules give it (copies
re-emitted after the crash identical), no duplicate forwarded, no tick lost,
and a halted symbol's later ticks parked.
Then `sluice symbols status|halt|resume` end to end: a halt by the operator, the
status table, and resume --replay sending parked ticks back, twice, with the
second replay forwarding nothing."""

import collections
import json
import os
import subprocess
import unittest

import ck_helpers
from broker import sluice_bin, wait_until
from stage_fixture import OneStageTest, read_topic

BASE_US = 1767607200_000000  # 2026-01-05T10:00:00Z in microseconds (timestamp-micros)
STEP_US = 10_000
HOUR_US = 3600_000000


def plan_symbol(symbol, steps, reset_at=None):
    """One symbol's ticks as (value, expected): expected is the classification,
    or "duplicate" for a repeated message id the stage must not forward."""
    ticks = []
    last, t = 1000, BASE_US
    skipped = []  # numbers a gap jumped over: sent later, they are out_of_order

    def tick(seq, copy=0):
        return {"exchange": "ASX", "symbol": symbol, "exchange_sequence_number": seq,
                "exchange_timestamp": t, "price": 45.0 + seq % 7, "volume": 100 + seq % 13,
                "message_id": "ASX.%s.%d" % (symbol, seq), "copy": copy}

    ticks.append((tick(last), "ok"))
    for i in range(1, steps):
        t += STEP_US
        if i == reset_at:
            t += 2 * HOUR_US
            last = 1  # far below half the high mark, after two silent hours
            ticks.append((tick(last), "reset"))
            skipped = []
        elif i % 20 == 5:
            gap = 1 + i % 10
            skipped = list(range(last + 1, last + 1 + gap))
            last += 1 + gap
            ticks.append((tick(last), "small_gap"))
        elif i % 20 == 10:
            gap = 11 + (i * 7) % 80
            skipped = list(range(last + 1, last + 1 + gap))
            last += 1 + gap
            ticks.append((tick(last), "large_gap"))
        elif i % 20 == 13 and skipped:
            ticks.append((tick(skipped.pop(0)), "out_of_order"))
        elif i % 20 == 16:
            previous = ticks[-1][0]
            ticks.append((dict(previous, copy=1), "duplicate"))
        else:
            last += 1
            ticks.append((tick(last), "ok"))
    return ticks


class SequenceCheckStageTest(OneStageTest):
    CHAINED = False  # a step after a validator in a chain stage, as in examples/market-ticks

    def write_sequence_pipeline(self):
        path = os.path.join(self.tmp, "pipeline.yaml")
        processor = "processor: sequence-check"
        if self.CHAINED:
            # The validator refuses anything but a tick: an operator's command must skip it.
            with open(os.path.join(self.tmp, "tick.schema.json"), "w") as f:
                json.dump({"type": "object", "required": ["symbol", "exchange_sequence_number"]}, f)
            processor = ("processor: chain\n    options:\n      steps:\n"
                         "        - {processor: validate, options: {schema: tick.schema.json}}\n"
                         "        - processor: sequence-check")
        with open(path, "w") as f:
            f.write("pipeline: ticks\nbootstrap: %s\nstages:\n  - name: seq\n    input: %s\n"
                    "    outputs: [%s]\n    state_store: state\n"
                    "    queue: {batch_size: 8}\n    %s\n"
                    % (self.broker.bootstrap, self.input, self.output, processor))
        return path

    def produce_ticks(self, ticks):
        p = ck_helpers.producer(self.broker.bootstrap)
        msgs = [{"key": ("ASX." + v["symbol"]).encode(), "value": json.dumps(v).encode()}
                for v, _ in ticks]
        for d in ck_helpers.produce_all(p, self.input, msgs):
            self.assertIsNone(d.error)

    def checkpoints(self):
        root = os.path.join(self.tmp, "state", "checkpoints", "ticks.seq", self.input)
        return os.listdir(root) if os.path.isdir(root) else []

    def symbols(self, *args):
        out = subprocess.run([sluice_bin(), "symbols", *args, "--bootstrap", self.broker.bootstrap],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr + out.stdout)
        return out.stdout

    def read_classified(self, topic, expect):
        """{(message_id, copy): [classification of each copy]} of `topic`."""
        got = collections.defaultdict(list)
        for m in read_topic(self.broker.bootstrap, topic, expect, timeout=120):
            v = json.loads(m.value())
            headers = dict(m.headers() or [])
            got[(v["message_id"], v["copy"])].append(
                (headers.get("sluice.sequence", b"").decode(),
                 headers.get("sluice.sequence.severity", b"").decode()))
        return got

    def check_exact(self, got, expected):
        severity = {"small_gap": "WARNING", "out_of_order": "WARNING", "large_gap": "ERROR"}
        missing = [k for k in expected if k not in got]
        self.assertFalse(missing, "ticks never forwarded: %s" % missing[:10])
        extra = [k for k in got if k not in expected]
        self.assertFalse(extra, "forwarded but should not be (duplicates, parked): %s" % extra[:10])
        wrong = {k: (c, expected[k]) for k, c in got.items()
                 if set(c) != {(expected[k], severity.get(expected[k], ""))}}
        self.assertFalse(wrong, "classified wrongly or differently on a re-emission: %s"
                         % dict(list(wrong.items())[:10]))
        return sum(len(c) - 1 for c in got.values())

    def tick_plan(self):
        """(first half, second half, expected classifications, parked ticks): 12 symbols with
        every kind of trouble (4 of them reset mid-way) and HALT, halted in the second half by a
        gap of 150, its 5 later ticks parked. Symbols interleaved, each in its own order."""
        plans = {"S%02d" % j: plan_symbol("S%02d" % j, 160, reset_at=90 if j % 3 == 0 else None)
                 for j in range(12)}
        halt = [(dict(v), k) for v, k in plan_symbol("HALT", 120)[:100]]
        last = halt[-1][0]
        t = last["exchange_timestamp"]
        jump = dict(last, exchange_sequence_number=last["exchange_sequence_number"] + 151,
                    exchange_timestamp=t + STEP_US, copy=0)
        jump["message_id"] = "ASX.HALT.%d" % jump["exchange_sequence_number"]
        parked = []
        for n in range(1, 6):
            p = dict(jump, exchange_sequence_number=jump["exchange_sequence_number"] + n,
                     exchange_timestamp=t + (n + 1) * STEP_US)
            p["message_id"] = "ASX.HALT.%d" % p["exchange_sequence_number"]
            parked.append((p, "parked"))
        halt += [(jump, "large_gap")] + parked
        plans["HALT"] = halt

        first, second = [], []
        for i in range(max(len(p) for p in plans.values())):
            for ticks in plans.values():
                if i < len(ticks):
                    (first if i < len(ticks) // 2 else second).append(ticks[i])
        expected = {(v["message_id"], v["copy"]): k for v, k in first + second
                    if k not in ("duplicate", "parked")}
        self.assertEqual({k for _, k in first + second},
                         {"ok", "small_gap", "large_gap", "out_of_order", "reset", "duplicate",
                          "parked"})
        return first, second, expected, parked

    def check_run(self, expected, parked, stage, what):
        got = self.read_classified(self.output, len(expected))
        again = self.check_exact(got, expected)
        print("\n%d ticks classified exactly, %d re-emitted identically %s" % (len(expected), again, what))
        parked_got = self.read_classified(self.input + ".parked", len(parked))
        self.assertEqual(set(parked_got), {(v["message_id"], 0) for v, _ in parked})
        self.assertEqual({c for copies in parked_got.values() for c in copies}, {("parked", "")})
        wait_until(lambda: stage.metric("sluice_sequence_halted_keys", stage="seq") == 1, 30, 0.1,
                   "the halted-keys gauge of the process that owns HALT now")
        self.assertIn("ASX.HALT", self.symbols("status", self.input))

    def test_every_classification_is_exact_after_a_kill_9_mid_stream(self):
        path = self.write_sequence_pipeline()
        first, second, expected, parked = self.tick_plan()
        self.produce_ticks(first)
        self.start_stage(path)
        wait_until(lambda: len(self.checkpoints()) == self.PARTITIONS, 60, 0.1,
                   "a checkpoint per partition")
        part = len(second) // 2
        self.produce_ticks(second[:part])
        # Killed as soon as it has read them: processed and produced, maybe not yet
        # checkpointed, so the restart may read some again.
        wait_until(lambda: (self.stage.metric("kafka_messages_consumed_total") or 0) >= len(first) + part,
                   60, 0.02, "the stage to read the first part of the second half")
        self.stage.kill9()
        self.produce_ticks(second[part:])  # while it is down
        stage = self.start_stage(path)
        self.check_run(expected, parked, stage, "after the kill")

    def test_state_moves_with_its_partitions_to_another_member(self):
        path = self.write_sequence_pipeline()
        first, second, expected, parked = self.tick_plan()
        self.produce_ticks(first)
        a = self.start_stage(path, workdir=os.path.join(self.tmp, "a"))
        wait_until(lambda: (a.metric("kafka_messages_consumed_total") or 0) >= len(first), 60, 0.05,
                   "the first member to read the first half")
        wait_until(lambda: len(self.checkpoints()) == self.PARTITIONS, 60, 0.1,
                   "a checkpoint per partition")
        b = self.start_stage(path, workdir=os.path.join(self.tmp, "b"))  # the group rebalances
        a.kill9()  # and the first member dies: the second restores every partition's state
        self.produce_ticks(second)
        self.check_run(expected, parked, b, "after the rebalance")

    def test_symbols_halt_status_and_resume_with_replay(self):
        path = self.write_sequence_pipeline()
        stage = self.start_stage(path)

        def ticks(symbol, seqs, at=0):
            return [({"exchange": "ASX", "symbol": symbol, "exchange_sequence_number": s,
                      "exchange_timestamp": BASE_US + (at + i) * STEP_US,
                      "message_id": "ASX.%s.%d" % (symbol, s), "copy": 0}, "")
                    for i, s in enumerate(seqs)]

        self.produce_ticks(ticks("GAP", [1, 2, 3, 200]) + ticks("OPS", [1, 2, 3]))
        wait_until(lambda: stage.metric("sluice_sequence_halted_keys", stage="seq") == 1, 60, 0.1,
                   "GAP halted by its gap of 196")
        self.assertIn("ASX.OPS", self.symbols("halt", self.input, "ASX.OPS", "--reason", "bad feed"))
        wait_until(lambda: stage.metric("sluice_sequence_halted_keys", stage="seq") == 2, 60, 0.1,
                   "OPS halted by the operator")
        self.produce_ticks(ticks("GAP", [201, 202], at=10) + ticks("OPS", [4, 5], at=10))
        wait_until(lambda: stage.metric("sluice_sequence_ticks_total", stage="seq", kind="parked") == 4,
                   60, 0.1, "four ticks parked")

        status = json.loads(self.symbols("status", self.input, "--json"))
        by_key = {s["key"]: s for s in status}
        self.assertEqual(set(by_key), {"ASX.GAP", "ASX.OPS"})
        self.assertEqual(by_key["ASX.OPS"]["reason"], "bad feed")
        self.assertIn("gap of 196", by_key["ASX.GAP"]["reason"])
        self.assertEqual(by_key["ASX.GAP"]["parked_records"], 2)
        table = self.symbols("status", self.input)
        self.assertIn("HALTED", table)

        for _ in range(2):  # the second replay's ticks are duplicates: nothing forwarded twice
            out = json.loads(self.symbols("resume", self.input, "ASX.GAP", "--replay", "--json"))
            self.assertEqual(out["replayed"], 2)
        self.symbols("resume", self.input, "ASX.OPS", "--replay")
        wait_until(lambda: stage.metric("sluice_sequence_halted_keys", stage="seq") == 0, 60, 0.1,
                   "both resumed")
        wait_until(lambda: stage.metric("sluice_sequence_ticks_total", stage="seq", kind="duplicate") == 2,
                   60, 0.1, "the second replay dropped as duplicates")
        got = self.read_classified(self.output, 11)
        self.assertEqual(got[("ASX.GAP.200", 0)], [("large_gap", "ERROR")])
        for mid in ("ASX.GAP.201", "ASX.GAP.202", "ASX.OPS.4", "ASX.OPS.5"):
            self.assertEqual(got[(mid, 0)], [("ok", "")], mid)
        self.assertEqual(sum(len(c) for c in got.values()), 11)
        self.assertIn("is halted", self.symbols("status", self.input))
        self.assertIn("ASX.GAP", self.symbols("status", self.input, "--all"))


class ChainedSequenceCheckStageTest(SequenceCheckStageTest):
    """sequence-check as a chain step behind a validator: `sluice symbols` commands in the
    stage's input reach it past the validator, and halts, parking and replay work as in a
    stage of its own."""
    CHAINED = True
    test_every_classification_is_exact_after_a_kill_9_mid_stream = None  # the runtime's, not the step's
    test_state_moves_with_its_partitions_to_another_member = None


if __name__ == "__main__":
    unittest.main()
