"""window-aggregate against the built-in broker with `sluice run`: tumbling
event-time windows per device, the stage killed with kill -9 mid-stream and
restarted. Every window must come out with exactly the count and sum of its
records — none lost, none counted twice — and any row emitted again after the
restart must be identical to the first copy (append mode: the same window,
key and values). A record behind the watermark goes to <input>.late with the
window it missed."""

import collections
import json
import os
import time
import unittest

import ck_helpers
from broker import unique_name, wait_until
from confluent_kafka import Consumer
from stage_fixture import OneStageTest

BASE = 1767607200000  # 2026-01-05T10:00:00Z
WINDOW_MS = 10_000
DEVICES = 12
STEP_MS = 100  # event time between consecutive records


def iso(ms, offset_minutes=0):
    """ms as ISO-8601 text written in the given UTC offset (the same instant)."""
    local = ms + offset_minutes * 60_000
    secs, millis = divmod(local, 1000)
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + ".%03d" % millis
    if offset_minutes == 0:
        return text + "Z"
    sign = "+" if offset_minutes > 0 else "-"
    h, m = divmod(abs(offset_minutes), 60)
    return text + "%s%02d:%02d" % (sign, h, m)


def event(i):
    """Record i: device d(i mod 12), event time moving forward by 100 ms with up
    to 2.9 s of disorder (inside the 5 s allowed lateness: never late), the
    time written in four spellings of the same instant."""
    ts = BASE + i * STEP_MS - ((i * 7) % 30) * STEP_MS
    spelling = [ts, iso(ts), iso(ts).replace("Z", "+00:00"), iso(ts, 120)][i % 4]
    device = "d%d" % (i % DEVICES)
    return device, ts, {"device": device, "ts": spelling, "v": i % 10}


class WindowAggregateTest(OneStageTest):

    def write_window_pipeline(self):
        path = os.path.join(self.tmp, "pipeline.yaml")
        with open(path, "w") as f:
            f.write("pipeline: windows\nbootstrap: %s\nstages:\n  - name: agg\n    input: %s\n"
                    "    outputs: [%s]\n    processor: window-aggregate\n    state_store: state\n"
                    "    queue: {batch_size: 8}\n"
                    "    options:\n      time_field: ts\n      size: 10s\n      allowed_lateness: 5s\n"
                    "      idle_timeout: 1h\n      group_by: [device]\n"
                    "      aggregates: {events: count, total: sum(v)}\n"
                    % (self.broker.bootstrap, self.input, self.output))
        return path

    def produce_events(self, start, n):
        p = ck_helpers.producer(self.broker.bootstrap)
        msgs = []
        for i in range(start, start + n):
            device, _, value = event(i)
            msgs.append({"key": device.encode(), "value": json.dumps(value).encode()})
        for d in ck_helpers.produce_all(p, self.input, msgs):
            self.assertIsNone(d.error)

    def produce_to_every_partition(self, value):
        p = ck_helpers.producer(self.broker.bootstrap)
        msgs = [{"key": b"flush", "value": json.dumps(value).encode(), "partition": part}
                for part in range(self.PARTITIONS)]
        for d in ck_helpers.produce_all(p, self.input, msgs):
            self.assertIsNone(d.error)

    def checkpoints(self):
        root = os.path.join(self.tmp, "state", "checkpoints", "windows.agg", self.input)
        return os.listdir(root) if os.path.isdir(root) else []

    def read_rows(self, topic, want, timeout=120):
        """Every row of `topic` until the (window_start, device) pairs cover `want`."""
        c = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": unique_name("reader"),
                      "auto.offset.reset": "earliest", "enable.auto.commit": False})
        c.subscribe([topic])
        rows, seen = [], set()
        deadline = time.monotonic() + timeout
        linger_until = None
        try:
            while time.monotonic() < deadline:
                m = c.poll(0.2)
                if m is not None and m.error() is None:
                    row = json.loads(m.value())
                    rows.append((m.key(), row))
                    seen.add((row["window_start"], row["device"]))
                if linger_until is None and want <= seen:
                    linger_until = time.monotonic() + 1.0  # a duplicate after this would show
                if linger_until is not None and time.monotonic() > linger_until:
                    break
        finally:
            c.close()
        return rows

    def check_windows(self, total):
        """Every window of records 0..total-1 emitted with its exact count and sum;
        copies of a window (re-emitted after a crash) identical. Returns how many
        rows were emitted again."""
        expected = collections.defaultdict(lambda: [0, 0])
        window_end = {}
        for i in range(total):
            device, ts, value = event(i)
            start = iso(ts - ts % WINDOW_MS).replace(".000", "")
            window_end[start] = iso(ts - ts % WINDOW_MS + WINDOW_MS).replace(".000", "")
            expected[(start, device)][0] += 1
            expected[(start, device)][1] += value["v"]
        rows = self.read_rows(self.output, set(expected))

        copies = collections.defaultdict(list)
        for key, row in rows:
            copies[(row["window_start"], row["device"])].append((key, row))
        missing = [w for w in expected if w not in copies]
        self.assertFalse(missing, "windows never emitted: %s" % missing[:10])
        unexpected = [w for w in copies if w not in expected]
        self.assertFalse(unexpected, "windows nobody produced records for: %s" % unexpected[:10])
        wrong = {w: (c[0][1]["events"], c[0][1]["total"], expected[w])
                 for w, c in copies.items() if [c[0][1]["events"], c[0][1]["total"]] != expected[w]}
        self.assertFalse(wrong, "windows whose count or sum is not exact (got, expected): %s"
                         % dict(list(wrong.items())[:10]))
        differing = {w: [r for _, r in c] for w, c in copies.items() if len({json.dumps(r) for _, r in c}) > 1}
        self.assertFalse(differing, "a window emitted twice with different values: %s"
                         % dict(list(differing.items())[:3]))
        for w, c in copies.items():
            self.assertEqual(c[0][0], json.dumps([w[1]]).encode())  # keyed by the group values
            self.assertEqual(c[0][1]["window_end"], window_end[w[0]])
        again = sum(len(c) - 1 for c in copies.values())
        # At-least-once output: rows emitted after the last checkpoint before a
        # crash are emitted again, identical. Say how many, for whoever reads the log.
        print("\n%d windows, %d rows re-emitted identically" % (len(copies), again))
        return again

    def test_every_window_is_exact_after_a_kill_9_mid_stream(self):
        path = self.write_window_pipeline()
        total = 4000
        self.produce_events(0, total // 2)
        self.start_stage(path)
        wait_until(lambda: len(self.checkpoints()) == self.PARTITIONS, 60, 0.1, "a checkpoint per partition")
        self.produce_events(total // 2, total // 2)
        time.sleep(0.3)
        self.stage.kill9()  # mid-stream: windows open, some sealed and not yet checkpointed
        # Far ahead on every partition: the watermark passes every window above.
        self.produce_to_every_partition({"device": "flush", "ts": BASE + 10_000_000, "v": 0})
        stage = self.start_stage(path)

        self.check_windows(total)

        # A record for a window sealed long ago: to <input>.late, not counted, not dropped.
        late = {"device": "d0", "ts": iso(BASE + 1234), "v": 5}
        p = ck_helpers.producer(self.broker.bootstrap)
        for d in ck_helpers.produce_all(p, self.input, [{"key": b"d0", "value": json.dumps(late).encode()}]):
            self.assertIsNone(d.error)
        late_topic = self.input + ".late"
        got = []
        c = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": unique_name("late"),
                      "auto.offset.reset": "earliest", "enable.auto.commit": False})
        c.subscribe([late_topic])
        try:
            deadline = time.monotonic() + 60
            while not got and time.monotonic() < deadline:
                m = c.poll(0.2)
                if m is not None and m.error() is None:
                    got.append(m)
        finally:
            c.close()
        self.assertEqual(len(got), 1, "the late record on %s" % late_topic)
        self.assertEqual(json.loads(got[0].value()), late)
        headers = dict(got[0].headers() or [])
        self.assertEqual(headers.get("sluice.window.missed"),
                         b"2026-01-05T10:00:00Z/2026-01-05T10:00:10Z")
        wait_until(lambda: stage.metric("sluice_window_late_records_total", stage="agg") == 1, 30, 0.1,
                   "the late-record counter")


    def test_windows_move_with_their_partitions_to_another_member(self):
        path = self.write_window_pipeline()
        total = 4000
        self.produce_events(0, total // 2)
        a = self.start_stage(path, workdir=os.path.join(self.tmp, "a"))
        wait_until(lambda: (a.metric("kafka_messages_consumed_total") or 0) >= total // 2, 60, 0.05,
                   "the first member to read everything")
        wait_until(lambda: len(self.checkpoints()) == self.PARTITIONS, 60, 0.1, "a checkpoint per partition")
        time.sleep(1.5)  # a commit tick: open windows checkpointed with the offsets
        self.start_stage(path, workdir=os.path.join(self.tmp, "b"))  # the group rebalances
        a.kill9()  # and the first member dies: the second restores every partition's windows
        self.produce_events(total // 2, total // 2)
        self.produce_to_every_partition({"device": "flush", "ts": BASE + 10_000_000, "v": 0})
        self.check_windows(total)


if __name__ == "__main__":
    unittest.main()
