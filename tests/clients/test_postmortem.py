"""`sluice incident postmortem` (runbook action A29) against a real stage log:
one `sluice run` stage with the `fault-injector` processor, logging JSON lines
to a file, lives through an operator pause, a burst of poison records, a
circuit breaker opening and closing, and a kill -9 and restart; the drafted
post-mortem must carry those events in time order, the DLQ counts by category,
and the seed's template headings with placeholders for what only people know.
A snapshot and the live assessment feed the severity and metric figures."""

import json
import os
import re
import subprocess
import time
import unittest

import ck_helpers
from broker import sluice_bin, wait_until
from stage_fixture import OneStageTest, read_topic

POISON = 7
HEADINGS = ["# Post-Mortem: ", "## Summary", "## Timeline", "## Impact", "## Root Cause",
            "## Resolution", "## What Went Well", "## What Could Be Improved",
            "## Lessons Learned", "## Action Items", "## References"]


def read(path):
    with open(path) as f:
        return f.read()


def timeline_rows(md):
    """(time, event) of each timeline row that came from the logs, in document order."""
    section = md.split("## Timeline", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        m = re.match(r"\| (\d\d:\d\d:\d\d\.\d\d\d) \| [^|]+ \| (.*) \|$", line)
        if m:
            rows.append((m.group(1), m.group(2)))
    return rows


class PostmortemTest(OneStageTest):
    TMP_PREFIX = "sluice-postmortem-"

    def setUp(self):
        super().setUp()
        self.down = os.path.join(self.tmp, "downstream-is-down")

    def start_copy_stage(self, wait_assigned=True):
        self.start_stage(self.write_pipeline(
            "    options: {dependency_down_file: %s}\n"
            "    retry: {max_attempts: 1000, initial_backoff_ms: 20, max_backoff_ms: 100}\n"
            "    breakers: [{name: downstream, failure_rate_threshold: 0.5, minimum_calls: 3, window: 10s, "
            "open: 1s, half_open_probes: 1}]\n" % self.down))
        if not wait_assigned:
            return
        wait_until(lambda: json.loads(self.stage.get("/status"))[0]["assigned_partitions"] > 0, 30,
                   0.2, "the stage owns its partitions")

    def produce(self, values):
        p = ck_helpers.producer(self.broker.bootstrap)
        for d in ck_helpers.produce_all(p, self.input, [{"value": v.encode()} for v in values]):
            self.assertIsNone(d.error)

    def sluice(self, *args):
        return subprocess.run([sluice_bin(), *args], capture_output=True, text=True, timeout=120)

    def control(self, *args):
        r = self.sluice(*args, "--admin", "127.0.0.1:%d" % self.stage.port)
        self.assertEqual(r.returncode, 0, r.stderr)

    def postmortem(self, out, *args):
        path = os.path.join(self.tmp, out)
        r = self.sluice("incident", "postmortem", "--out", path, *args)
        return r, read(path) if os.path.exists(path) else ""

    def breaker_state(self):
        return self.stage.metric("kafka_circuit_breaker_state", breaker="downstream")

    def test_postmortem_timeline_counts_and_template(self):
        self.start_copy_stage()
        self.produce(["ok-%d" % i for i in range(20)])
        read_topic(self.broker.bootstrap, self.output, 20)

        # An operator pause and resume.
        self.control("pause", "copy")
        time.sleep(0.5)
        self.control("resume", "copy")

        # Poison records: each goes to the DLQ as a validation failure.
        self.produce(["poison-%d" % i for i in range(POISON)])
        self.assertEqual(len(read_topic(self.broker.bootstrap, self.input + ".dlq", POISON)), POISON)

        # The downstream dependency goes down: the breaker opens, then closes once it is back.
        open(self.down, "w").close()
        self.produce(["x-%d" % i for i in range(10)])
        wait_until(lambda: self.breaker_state() == 1, 30, 0.2, "breaker open")
        os.remove(self.down)
        wait_until(lambda: self.breaker_state() == 0, 30, 0.2, "breaker closed")
        read_topic(self.broker.bootstrap, self.output, 30)

        # Evidence from a snapshot and the live pipeline while it still runs.
        snap = os.path.join(self.tmp, "snap")
        r = self.sluice("incident", "snapshot", snap, "--window", "1s", "--logs", self.stage.log_path,
                        "--admin", "127.0.0.1:%d" % self.stage.port, "--bootstrap", self.broker.bootstrap)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r, md = self.postmortem("pm-snapshot.md", "--snapshot", snap, "--window", "1s",
                                "--admin", "127.0.0.1:%d" % self.stage.port,
                                "--bootstrap", self.broker.bootstrap)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        severity = json.loads(read(os.path.join(snap, "assessment.json")))["severity"]
        self.assertIn("**Severity**: %s (snapshot %s" % (severity, snap), md)
        self.assertIn("live assessment at ", md)
        self.assertRegex(md, r"\| Events dead-lettered \| %d \| snapshot metrics" % POISON)
        self.assertIn("Log: `%s`" % os.path.join(snap, "logs", "stage.log"), md,
                      "without --logs, the snapshot's log tails are read")
        self.assertRegex(md, r"\| Peak consumer lag \| \d+ messages")

        # A crash and a restart, then a clean stop. (The killed member still holds its
        # partitions until its session times out, so the restart is not waited on.)
        self.stage.kill9()
        self.start_copy_stage(wait_assigned=False)
        wait_until(lambda: "consuming" in self.stage.log_tail(1), 30, 0.2, "the restarted stage runs")
        self.assertEqual(self.stage.terminate(), 0)

        r, md = self.postmortem("pm.md", "--logs", self.stage.log_path, "--title", "Poison burst")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("%d event(s) dead-lettered" % POISON, r.stdout)

        # The seed's template, in its order, and placeholders for what only people know.
        at = [md.find(h) for h in HEADINGS]
        self.assertNotIn(-1, at, md)
        self.assertEqual(at, sorted(at), "headings in the template's order")
        self.assertTrue(md.startswith("# Post-Mortem: Poison burst\n"))
        for placeholder in ["[Detailed technical explanation of what caused the incident]",
                            "[Detailed explanation of how it was fixed]", "**Incident Commander**: [Name]",
                            "| [Owner] | [YYYY-MM-DD] |", "[SEV-X]"]:
            self.assertIn(placeholder, md)

        # The timeline: the events that matter, in time order.
        rows = timeline_rows(md)
        times = [t for t, _ in rows]
        self.assertEqual(times, sorted(times), "timeline rows in time order")
        events = [e for _, e in rows]

        def first(pattern, after=-1):
            for i, e in enumerate(events):
                if i > after and re.search(pattern, e):
                    return i
            self.fail("no timeline row matching %r after row %d:\n%s" % (pattern, after, "\n".join(events)))

        started = first(r"^\*\*Started\*\* stage 'copy' consuming")
        assigned = first(r"^\*\*Assigned\*\* stage 'copy' assigned \d+ partition", started)
        paused = first(r"^\*\*Paused\*\* stage 'copy' paused consumption \(operator\)", assigned)
        resumed = first(r"^\*\*Resumed\*\* stage 'copy' resumed consumption .* after .* paused \(operator\)",
                        paused)
        dlq = first(r"^\*\*\d+ × warnings\*\* stage: record failed; next: dead-letter queue "
                    r"\(validation, stage copy\)", resumed)
        opened = first(r"^\*\*Circuit breaker open\*\* stage 'copy' paused consumption "
                       r"\(circuit breaker open\)", dlq)
        first(r"^\*\*Circuit breaker no longer open\*\*", opened)
        restarted = first(r"^\*\*Restarted\*\* stage 'copy' consuming .*no clean stop", opened)
        first(r"^\*\*Signal\*\* received SIGTERM", restarted)
        first(r"^\*\*Stopped\*\* stage 'copy' stopped; offsets committed", restarted)
        # Warnings are counted per minute, not listed one per record.
        dlq_counts = [int(m.group(1)) for e in events
                      for m in [re.match(r"^\*\*(\d+) × warnings\*\* stage: record failed; next: "
                                         r"dead-letter queue \(validation", e)] if m]
        dlq_single = [e for e in events if e.startswith("**Warning** stage: record failed; next: dead")]
        self.assertEqual(sum(dlq_counts) + len(dlq_single), POISON)
        self.assertLess(len(rows), 40, "grouped, not one row per failure")

        # Impact figures and the replay action item.
        self.assertIn("| Events dead-lettered | %d (validation %d) | stage logs |" % (POISON, POISON), md)
        self.assertRegex(md, r"\| Failed processing attempts \| \d+ \(.*transient \d+.*\) \| stage logs \|")
        # open: 1s can re-trip from half-open on a loaded machine: count what the timeline shows.
        openings = sum(1 for e in events if e.startswith("**Circuit breaker open**"))
        self.assertGreaterEqual(openings, 1)
        self.assertIn("| Circuit breaker openings | %d | stage logs |" % openings, md)
        self.assertIn("| Stage restarts | 1 | stage logs |", md)
        self.assertIn("%d × stage copy, validation: value is not valid: poison" % POISON, md)
        self.assertIn("`sluice dlq replay %s.dlq --all --category validation --since " % self.input, md)

        # An existing post-mortem is never overwritten without --force.
        r, _ = self.postmortem("pm.md", "--logs", self.stage.log_path)
        self.assertEqual(r.returncode, 1)
        self.assertIn("already exists", r.stderr)
        self.assertIn("# Post-Mortem: Poison burst", read(os.path.join(self.tmp, "pm.md")))
        r, md = self.postmortem("pm.md", "--logs", self.stage.log_path, "--force", "--severity", "SEV-2")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("**Severity**: SEV-2 (declared)", md)

        # --since narrows the evidence: from the breaker opening on, no poison and no first start.
        opened_ts = next(e["ts"] for e in self.stage.log_events()
                         if "paused consumption (circuit breaker open)" in e["msg"])
        r, md = self.postmortem("pm-since.md", "--logs", self.stage.log_path, "--since", opened_ts)
        self.assertEqual(r.returncode, 0, r.stderr)
        # Grouped warnings ("**2 × warnings**") may share the breaker's second; only state changes are ordered.
        events = [e for _, e in timeline_rows(md) if "warning" not in e[:30].lower()]
        self.assertTrue(events[0].startswith("**Circuit breaker open**"), events)
        self.assertFalse(any(e.startswith("**Started**") for e in events), events)
        self.assertTrue(any(e.startswith("**Restarted**") for e in events),
                        "state before --since still tells a restart from a start")
        self.assertIn("| Events dead-lettered | 0 | stage logs |", md)

        # A missing log is named, and the rest is still written (exit 1).
        r, md = self.postmortem("pm-missing.md", "--logs", self.stage.log_path,
                                os.path.join(self.tmp, "no-such.log"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("no-such.log", r.stderr)
        self.assertIn("Evidence NOT used: cannot read log file", md)
        self.assertIn("| Events dead-lettered | %d (validation %d) | stage logs |" % (POISON, POISON), md)

    def test_librdkafka_text_glued_to_a_json_line_is_read_too(self):
        log = os.path.join(self.tmp, "glued.log")
        with open(log, "w") as f:
            f.write('{"ts":"2026-11-27T13:27:07.725Z","level":"INFO","component":"stage",'
                    '"msg":"stage \'copy\' stopped; offsets committed"}'
                    '%3|1795786028.092|FAIL|rdkafka#producer-1| [thrd:127.0.0.1:1/bootstrap]: '
                    'Connect to ipv4#127.0.0.1:1 failed: Connection refused\n'
                    'Traceback (not a log line)\n')
        r, md = self.postmortem("glued.md", "--logs", log)
        self.assertEqual(r.returncode, 0, r.stderr)
        events = [e for _, e in timeline_rows(md)]
        self.assertEqual(len(events), 2, events)
        self.assertTrue(events[0].startswith("**Stopped**"), events)
        self.assertTrue(events[1].startswith("**Error** librdkafka: FAIL: [thrd:"), events)


if __name__ == "__main__":
    unittest.main()
