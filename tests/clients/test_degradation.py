"""Runbook 003's degradation levels on a real stage (docs/degradation.md): lag
raises the level and recovery brings it down; GRACEFUL processes only priority
keys and parks the rest in <input>.shed, from where `sluice dlq replay` brings
them back with nothing lost or doubled; `sluice degradation status|set|auto`;
a memory budget that is exceeded breaks the circuit. The stage is a
fault-injector copy; its `sleep:MS:` records are slow unless degraded."""

import json
import subprocess
import unittest

import ck_helpers
from broker import sluice_bin, wait_until
from stage_fixture import OneStageTest, read_topic

PRIORITY = b"ASX.BHP"


class DegradationTest(OneStageTest):
    TMP_PREFIX = "sluice-degradation-"

    def start(self, degradation):
        return self.start_stage(self.write_pipeline(
            "    queue: {max_in_flight: 2, batch_size: 1}\n"
            "    degradation: {priority_keys: [ASX.BHP], %s}\n" % degradation, name="deg"))

    def produce_ticks(self, count, sleep_ms, tag=b""):
        """`count` records, every third keyed ASX.BHP (a priority key); returns their values."""
        records = [{"key": PRIORITY if i % 3 == 0 else b"ASX.Z%d" % i,
                    "value": b"sleep:%d:%s%d" % (sleep_ms, tag, i)} for i in range(count)]
        p = ck_helpers.producer(self.broker.bootstrap)
        for d in ck_helpers.produce_all(p, self.input, records):
            self.assertIsNone(d.error)
        return {r["value"] for r in records}

    def cli(self, *args, ok=True):
        r = subprocess.run([sluice_bin(), *args], capture_output=True, text=True, timeout=60)
        if ok:
            self.assertEqual(r.returncode, 0, "sluice %s: %s%s" % (" ".join(args), r.stdout, r.stderr))
        return r

    def degradation(self, *args, ok=True):
        return self.cli("degradation", *args, "--admin", "127.0.0.1:%d" % self.stage.port, ok=ok)

    def status(self):
        rows = json.loads(self.degradation("status", "--json").stdout)
        self.assertEqual([r["stage"] for r in rows], ["copy"])
        return rows[0]

    def test_graceful_parks_what_is_not_a_priority_key_and_a_replay_brings_it_back(self):
        stage = self.start("lag: [20, 40, 0, 0], recovery_after: 1s")
        values = self.produce_ticks(300, 100)
        wait_until(lambda: (stage.metric("sluice_degradation_parked_total", stage="copy") or 0) > 0,
                   30, 0.2, "records parked at GRACEFUL")
        self.assertGreaterEqual(stage.metric("sluice_degradation_transitions_total", stage="copy",
                                             to="GRACEFUL"), 1)
        # Lag is gone once everything is processed or parked; a second later, NORMAL again.
        wait_until(lambda: stage.metric("sluice_degradation_level", stage="copy") == 0, 60, 0.2,
                   "back to NORMAL")
        parked_count = int(stage.metric("sluice_degradation_parked_total", stage="copy"))
        out = read_topic(self.broker.bootstrap, self.output, 300 - parked_count, timeout=120)
        parked = read_topic(self.broker.bootstrap, self.input + ".shed", parked_count)
        self.assertEqual(len(parked), parked_count)
        self.assertNotIn(PRIORITY, {m.key() for m in parked}, "priority keys are never parked")
        headers = dict(parked[0].headers())
        self.assertEqual(headers["sluice.error.category"], b"shed")
        self.assertEqual(headers["sluice.original.topic"], self.input.encode())
        self.assertIn(b"GRACEFUL", headers["sluice.error.message"])
        self.assertEqual(sorted([m.value() for m in out] + [m.value() for m in parked]), sorted(values),
                         "every record is in the output or parked, once")

        # Held at NORMAL while the replay runs: its slow records must not park themselves again.
        self.degradation("set", "NORMAL")
        self.cli("dlq", "replay", self.input + ".shed", "--all", "--bootstrap", self.broker.bootstrap)
        out = read_topic(self.broker.bootstrap, self.output, 300, timeout=120)
        self.assertEqual(sorted(m.value() for m in out), sorted(values), "replayed: all there, none twice")

    def test_an_operator_pins_a_level_and_hands_it_back(self):
        self.start("recovery_after: 0s")
        table = self.degradation("set", "graceful", "copy").stdout
        self.assertRegex(table, r"copy\s+GRACEFUL\s+manual")
        values = self.produce_ticks(30, 0)
        wait_until(lambda: self.status()["parked"] == 20, 30, 0.2, "20 of 30 records parked")
        self.assertEqual(self.status()["parked_topic"], self.input + ".shed")
        out = read_topic(self.broker.bootstrap, self.output, 10)
        self.assertEqual({m.key() for m in out}, {PRIORITY})

        refused = self.degradation("set", "CIRCUIT_BREAK", ok=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("sluice pause copy", refused.stderr)
        unknown = self.degradation("set", "HIGH", ok=False)
        self.assertNotEqual(unknown.returncode, 0)
        self.assertIn("NORMAL, SOFT, GRACEFUL, AGGRESSIVE or CIRCUIT_BREAK", unknown.stderr)

        self.degradation("auto")

        def back_to_normal():
            s = self.status()
            return s["level"] == "NORMAL" and s["mode"] == "auto"
        wait_until(back_to_normal, 30, 0.2, "the rules decide again: NORMAL")
        second = self.produce_ticks(30, 0, tag=b"second-")
        out = read_topic(self.broker.bootstrap, self.output, 40)
        first_priority = {v for v in values if int(v.rsplit(b":", 1)[1]) % 3 == 0}
        self.assertEqual({m.value() for m in out}, first_priority | second,
                         "10 priority records of the first batch, then all 30 of the second")
        self.assertEqual(len(out), 40)

    def test_a_memory_budget_exceeded_breaks_the_circuit_until_an_operator_steps_in(self):
        stage = self.start("memory_budget: 1MiB")
        wait_until(lambda: self.status()["level"] == "CIRCUIT_BREAK", 30, 0.2, "CIRCUIT_BREAK")
        self.assertGreater(self.status()["memory_bytes"], 1 << 20)
        self.assertEqual(stage.metric("kafka_circuit_breaker_state", breaker="lag"), 1)
        events = [e for e in stage.log_events() if "consumption halted" in e.get("msg", "")]
        self.assertTrue(events, stage.log_tail())
        values = self.produce_ticks(9, 0)
        self.degradation("set", "NORMAL")
        wait_until(lambda: stage.metric("kafka_circuit_breaker_state", breaker="lag") == 0, 30, 0.2,
                   "breaker lag closed by leaving CIRCUIT_BREAK")
        out = read_topic(self.broker.bootstrap, self.output, 9)
        self.assertEqual({m.value() for m in out}, values)


if __name__ == "__main__":
    unittest.main()
