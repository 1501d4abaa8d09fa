"""Runbook 003's lag policies on a real stage: hot keys salted over partitions
(output_key_salt), graceful degradation that skips optional work above a lag
(degrade_lag_threshold: the SOFT level), and a halt with a page above an extreme
lag (halt_lag_threshold: CIRCUIT_BREAK, breaker "lag" forced open until an
operator closes it). test_degradation.py covers the other levels."""

import subprocess
import unittest

import ck_helpers
from broker import sluice_bin, wait_until
from stage_fixture import OneStageTest, read_topic


class LagPolicyTest(OneStageTest):
    TMP_PREFIX = "sluice-lag-"

    def start(self, settings):
        return self.start_stage(self.write_pipeline(
            "    queue: {max_in_flight: 2, batch_size: 1}\n" + settings, name="lag"))

    def produce(self, values, key=None):
        p = ck_helpers.producer(self.broker.bootstrap)
        for d in ck_helpers.produce_all(p, self.input, [{"value": v.encode(), "key": key or (b"k%d" % i)}
                                                        for i, v in enumerate(values)]):
            self.assertIsNone(d.error)

    def test_a_hot_key_is_spread_over_partitions_when_salted(self):
        self.start("    output_key_salt: 4\n")
        self.produce(["v%d" % i for i in range(200)], key=b"BHP")
        got = read_topic(self.broker.bootstrap, self.output, 200)
        self.assertEqual(len(got), 200)
        self.assertEqual({m.key() for m in got}, {b"BHP_0", b"BHP_1", b"BHP_2", b"BHP_3"})
        self.assertGreater(len({m.partition() for m in got}), 1, "one hot key, several partitions")

    def test_over_the_degrade_threshold_optional_work_is_skipped(self):
        stage = self.start("    degrade_lag_threshold: 50\n")
        self.produce(["sleep:300:%d" % i for i in range(400)])
        wait_until(lambda: stage.metric("sluice_stage_degraded", stage="copy") == 1, 30, 0.2, "degraded mode")
        got = read_topic(self.broker.bootstrap, self.output, 400, timeout=120)
        self.assertEqual(len(got), 400, "degraded records are still processed, only faster")
        events = [e for e in stage.log_events() if "degradation level changed" in e.get("msg", "")]
        self.assertTrue(events and events[0].get("to") == "SOFT", stage.log_tail())
        self.assertGreaterEqual(int(events[0]["lag"]), 50)
        # Recovery waits 30 s after the change (degradation.recovery_after) and for lag <= 25.
        wait_until(lambda: stage.metric("sluice_stage_degraded", stage="copy") == 0, 90, 0.2, "back to full mode")

    def test_extreme_lag_halts_the_stage_until_an_operator_closes_the_lag_breaker(self):
        stage = self.start("    halt_lag_threshold: 100\n")
        self.produce(["sleep:50:%d" % i for i in range(600)])
        wait_until(lambda: stage.metric("kafka_circuit_breaker_state", breaker="lag") == 1, 30, 0.2,
                   "breaker lag open")
        import time
        time.sleep(1.0)  # let the records already with workers finish
        halted_at = stage.metric("kafka_messages_produced_total", topic=self.output) or 0
        time.sleep(2.0)
        self.assertEqual(stage.metric("kafka_messages_produced_total", topic=self.output) or 0, halted_at,
                         "nothing is processed while halted")
        self.assertLess(halted_at, 600)
        events = [e for e in stage.log_events() if "consumption halted" in e.get("msg", "")]
        self.assertTrue(events, stage.log_tail())
        close = subprocess.run([sluice_bin(), "breaker", "close", "lag", "--admin", "127.0.0.1:%d" % stage.port],
                               capture_output=True, text=True, timeout=30)
        self.assertEqual(close.returncode, 0, close.stderr)
        got = read_topic(self.broker.bootstrap, self.output, 600, timeout=120)
        self.assertEqual(len({m.value() for m in got}), 600, "nothing lost across the halt")


if __name__ == "__main__":
    unittest.main()
