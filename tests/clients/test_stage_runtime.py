"""The stage runtime (`sluice run`) end to end against the built-in broker:
delivery, retries, delay topics, the dead-letter queue, circuit breakers,
graceful and ungraceful stops, and the /metrics page. The `fault-injector`
processor lets each record choose its own failure (see src/stages/fault_injector.h)."""

import os
import shutil
import subprocess
import time
import unittest

from broker import sluice_bin, wait_until
from confluent_kafka import Consumer, TopicPartition
from stage_fixture import RETRY, OneStageTest, read_topic


class StageRuntimeTest(OneStageTest):

    def pipeline(self, extra_stage_yaml="", options="{}"):
        return self.write_pipeline("    options: %s\n" % options + RETRY + extra_stage_yaml)

    def committed_total(self):
        c = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": "test.copy"})
        try:
            parts = [TopicPartition(self.input, p) for p in range(3)]
            return sum(max(tp.offset, 0) for tp in c.committed(parts, timeout=10))
        finally:
            c.close()

    def test_every_record_reaches_the_output_and_offsets_are_committed(self):
        stage = self.start_stage(self.pipeline())
        values = ["ok-%d" % i for i in range(1000)]
        self.produce(values)
        got = read_topic(self.broker.bootstrap, self.output, 1000)
        self.assertEqual(sorted(m.value().decode() for m in got), sorted(values))
        self.assertTrue(all(dict(m.headers() or []).get("sluice.trace_id") for m in got), "outputs carry a trace id")
        wait_until(lambda: self.committed_total() == 1000, 30, 0.2, "all 1000 input offsets committed")
        self.assertEqual(stage.metric("kafka_messages_consumed_total", topic=self.input), 1000)
        self.assertEqual(stage.metric("kafka_messages_produced_total", topic=self.output), 1000)

    def test_a_poison_record_lands_in_the_dlq_with_every_header(self):
        stage = self.start_stage(self.pipeline())
        self.produce(["ok-1", "poison-pill", "ok-2"])
        dlq = read_topic(self.broker.bootstrap, self.input + ".dlq", 1)
        self.assertEqual(len(dlq), 1)
        h = {k: v.decode() for k, v in dlq[0].headers()}
        self.assertEqual(dlq[0].value(), b"poison-pill")
        self.assertEqual(dlq[0].key(), b"k1")
        for name in ["sluice.trace_id", "sluice.stage", "sluice.error.category", "sluice.error.message",
                     "sluice.attempts", "sluice.original.topic", "sluice.original.partition",
                     "sluice.original.offset", "sluice.first_failed_at", "sluice.last_failed_at"]:
            self.assertIn(name, h)
        self.assertEqual(h["sluice.error.category"], "validation")
        self.assertEqual(h["sluice.stage"], "copy")
        self.assertEqual(h["sluice.original.topic"], self.input)
        self.assertEqual(h["sluice.attempts"], "1")
        out = read_topic(self.broker.bootstrap, self.output, 2)
        self.assertEqual(sorted(m.value() for m in out), [b"ok-1", b"ok-2"])
        failures = [e for e in stage.log_events() if e.get("category") == "validation"]
        self.assertEqual(len(failures), 1, "one JSON log line for the failure")
        e = failures[0]
        self.assertEqual((e["trace_id"], e["stage"], e["topic"]), (h["sluice.trace_id"], "copy", self.input))
        self.assertEqual((e["partition"], e["offset"]), (h["sluice.original.partition"], h["sluice.original.offset"]))

    def test_a_transient_failure_is_retried_in_process_and_succeeds(self):
        stage = self.start_stage(self.pipeline())
        self.produce(["flaky:1:once"])
        out = read_topic(self.broker.bootstrap, self.output, 1)
        self.assertEqual([m.value() for m in out], [b"flaky:1:once"])
        self.assertEqual(stage.metric("kafka_processing_errors_total", category="transient"), 1)

    def test_a_persistent_failure_walks_the_delay_topics_into_the_dlq(self):
        self.start_stage(self.pipeline())
        self.produce(["always-failing"])
        dlq = read_topic(self.broker.bootstrap, self.input + ".dlq", 1, timeout=60)
        self.assertEqual(len(dlq), 1)
        h = {k: v.decode() for k, v in dlq[0].headers()}
        self.assertEqual(h["sluice.attempts"], "6", "2 attempts on the input and on each of 2 delay topics")
        self.assertEqual(h["sluice.original.topic"], self.input)
        for level in (1, 2):
            hop = read_topic(self.broker.bootstrap, "%s.retry.%d" % (self.input, level), 1)
            self.assertEqual([m.value() for m in hop], [b"always-failing"])

    def test_a_breaker_opens_pauses_the_stage_then_half_opens_and_closes(self):
        down = os.path.join(self.tmp, "downstream-is-down")
        open(down, "w").close()
        breaker = ("    breakers: [{name: downstream, failure_rate_threshold: 0.5, minimum_calls: 3, "
                   "window: 10s, open: 1s, half_open_probes: 1}]\n")
        path = self.pipeline(breaker, options="{dependency_down_file: %s}" % down)
        with open(path) as f:
            path_text = f.read().replace("max_attempts: 2", "max_attempts: 1000")
        with open(path, "w") as f:
            f.write(path_text)
        stage = self.start_stage(path)
        self.produce(["ok-%d" % i for i in range(20)])
        # The counter, not the state gauge: with open: 1s the breaker cycles
        # open -> half-open -> open faster than a loaded machine polls.
        wait_until(lambda: (stage.metric("kafka_circuit_breaker_opened_total", breaker="downstream") or 0) >= 1,
                   30, 0.2, "breaker opened")
        self.assertEqual(read_topic(self.broker.bootstrap, self.input + ".dlq", 1, timeout=2), [],
                         "an open breaker pauses instead of flooding the DLQ")
        os.remove(down)
        out = read_topic(self.broker.bootstrap, self.output, 20)
        self.assertEqual(len({m.value() for m in out}), 20)
        wait_until(lambda: stage.metric("kafka_circuit_breaker_state", breaker="downstream") == 0, 30, 0.2,
                   "breaker closed")

    def stop_mid_batch(self, stop):
        path = self.pipeline()
        stage = self.start_stage(path)
        values = ["sleep:20:%d" % i for i in range(300)]
        self.produce(values)
        wait_until(lambda: (stage.metric("kafka_messages_produced_total", topic=self.output) or 0) >= 30, 60, 0.1,
                   "some records processed")
        stop(stage)
        self.start_stage(path)
        got = read_topic(self.broker.bootstrap, self.output, 300, timeout=120)
        self.assertEqual({m.value().decode() for m in got}, set(values), "a record was lost")
        return got

    def test_sigterm_mid_batch_finishes_in_flight_work_and_loses_nothing(self):
        got = self.stop_mid_batch(lambda s: self.assertEqual(s.terminate(), 0))
        self.assertEqual(len(got), 300, "a graceful stop commits what it processed: no duplicates")

    def test_kill_9_mid_batch_loses_nothing(self):
        self.stop_mid_batch(lambda s: s.kill9())

    def control(self, stage, *args):
        r = subprocess.run([sluice_bin(), *args, "--admin", "127.0.0.1:%d" % stage.port], capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_pause_stops_consumption_without_loss_and_resume_continues(self):
        breaker = "    breakers: [{name: downstream}]\n"
        stage = self.start_stage(self.pipeline(breaker))
        self.produce(["a-%d" % i for i in range(100)])
        read_topic(self.broker.bootstrap, self.output, 100)
        self.assertIn('"paused":true', self.control(stage, "pause", "copy", "--json"))
        self.produce(["b-%d" % i for i in range(100)])
        time.sleep(2)
        consumed = stage.metric("kafka_messages_consumed_total", topic=self.input)
        time.sleep(1)
        self.assertEqual(stage.metric("kafka_messages_consumed_total", topic=self.input), consumed,
                         "a paused stage consumes nothing")
        self.assertIn('"paused":false', self.control(stage, "resume", "copy", "--json"))
        out = read_topic(self.broker.bootstrap, self.output, 200)
        self.assertEqual(len({m.value() for m in out}), 200)
        self.assertIn('"stage":"copy"', self.control(stage, "status", "--json"))
        # For people: a table with the stage's state.
        self.assertRegex(self.control(stage, "status"), r"(?m)^\S+\s+copy\s+running\s+\d+")

        self.assertIn("downstream: open", self.control(stage, "breaker", "open", "downstream"))
        wait_until(lambda: stage.metric("kafka_circuit_breaker_state", breaker="downstream") == 1, 10, 0.2,
                   "forced open")
        self.assertIn("downstream: closed", self.control(stage, "breaker", "close", "downstream"))
        self.assertIn("downstream", self.control(stage, "breaker", "status"))

    def test_metrics_page_passes_promtool(self):
        if not shutil.which("promtool"):
            self.skipTest("promtool is not installed")
        stage = self.start_stage(self.pipeline())
        self.produce(["ok", "poison"])
        read_topic(self.broker.bootstrap, self.output, 1)
        page = stage.get("/metrics")
        check = subprocess.run(["promtool", "check", "metrics"], input=page, capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)


if __name__ == "__main__":
    unittest.main()
