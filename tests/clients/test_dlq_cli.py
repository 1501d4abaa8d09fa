"""`sluice dlq list|view|replay` end to end: a `fault-injector` stage
dead-letters real records (values starting with `poison` fail validation,
`permanent` fail permanently), then the CLI lists, shows and replays them.
Only what the command controls is asserted: which records it writes where, with
which headers, and its replay ledger (`<dlq>.replays`)."""

import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import ck_helpers
from broker import BrokerProcess, sluice_bin, unique_name, wait_until
from stage_fixture import StageProcess

DLQ_HEADERS = ["sluice.trace_id", "sluice.stage", "sluice.error.category", "sluice.error.message",
               "sluice.attempts", "sluice.original.topic", "sluice.original.partition",
               "sluice.original.offset", "sluice.first_failed_at", "sluice.last_failed_at"]


class DlqCliTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="sluice-dlq-")
        cls.broker = BrokerProcess(default_partitions=3, group_initial_rebalance_delay_ms=0)
        cls.input = unique_name("in")
        cls.dlq = cls.input + ".dlq"
        path = os.path.join(cls.tmp, "pipeline.yaml")
        with open(path, "w") as f:
            f.write("""pipeline: test
bootstrap: %s
stages:
  - name: copy
    input: %s
    outputs: [%s]
    processor: fault-injector
    retry: {max_attempts: 2, initial_backoff_ms: 20, max_backoff_ms: 100, delay_topics: []}
""" % (cls.broker.bootstrap, cls.input, unique_name("out")))
        cls.stage = StageProcess(path, cls.tmp).start()
        try:
            cls.produce(cls.input, ["poison-%d" % i for i in range(5)] + ["ok-%d" % i for i in range(4)])
            wait_until(lambda: len(cls.list_json()) == 5, 60, 0.3, "5 poison records in the DLQ")
            time.sleep(0.05)
            cls.since_ms = int(time.time() * 1000)
            time.sleep(0.05)
            cls.produce(cls.input, ["permanent-%d" % i for i in range(3)] + ["ok-x", "ok-y"])
            wait_until(lambda: len(cls.list_json()) == 8, 60, 0.3, "8 records in the DLQ")
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.stage.proc and cls.stage.proc.poll() is None:
            cls.stage.kill9()
        cls.broker.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # ---------------------------------------------------------------- helpers
    @classmethod
    def produce(cls, topic, values, headers=None):
        p = ck_helpers.producer(cls.broker.bootstrap)
        msgs = [{"value": v.encode(), "key": b"k-" + v.encode(), "headers": headers} for v in values]
        for d in ck_helpers.produce_all(p, topic, msgs):
            assert d.error is None, d.error

    @classmethod
    def sluice(cls, *args):
        return subprocess.run([sluice_bin(), *args, "--bootstrap", cls.broker.bootstrap],
                              capture_output=True, text=True, timeout=120)

    @classmethod
    def list_json(cls, *args):
        r = cls.sluice("dlq", "list", cls.dlq, "--json", "--limit", "0", *args)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    def ok(self, *args):
        r = self.sluice(*args)
        self.assertEqual(r.returncode, 0, "%s\nstdout:\n%s\nstderr:\n%s" % (args, r.stdout, r.stderr))
        return r.stdout

    def read_all(self, topic):
        parts, _ = ck_helpers.consume_partitions(self.broker.bootstrap, topic, range(3))
        return [m for recs in parts.values() for m in recs]

    def count(self, topic):
        c = ck_helpers.consumer(self.broker.bootstrap)
        try:
            md = c.list_topics(timeout=10)
            if topic not in md.topics:
                return None
            return sum(ck_helpers.watermarks(c, topic, p)[1] for p in md.topics[topic].partitions)
        finally:
            c.close()

    def topic_exists(self, topic):
        return topic in self.ok("topics", "list").split()

    # ------------------------------------------------------------------ tests
    def test_list_shows_every_record_newest_last(self):
        out = self.ok("dlq", "list", self.dlq).splitlines()
        self.assertEqual(out[0].split(), ["POSITION", "TRACE-ID", "CATEGORY", "ATTEMPTS", "ORIGIN",
                                          "LAST-FAILED-AT", "STATUS", "ERROR"])
        rows = out[1:-1]
        self.assertEqual(len(rows), 8)
        self.assertEqual([r.split()[2] for r in rows], ["validation"] * 5 + ["permanent"] * 3)
        self.assertTrue(all(self.input + "/" in r for r in rows), "origin names the input topic")
        self.assertIn("8 of 8 matching record(s) in %s" % self.dlq, out[-1])
        # TOPIC without .dlq means its DLQ.
        self.assertEqual(self.ok("dlq", "list", self.input).splitlines()[1:-1], rows)

    def test_list_limit_category_since_and_json(self):
        out = self.ok("dlq", "list", self.dlq, "--limit", "2").splitlines()
        self.assertEqual([r.split()[2] for r in out[1:-1]], ["permanent"] * 2, "the newest 2")
        self.assertIn("2 of 8", out[-1])
        perm = self.list_json("--category", "permanent")
        self.assertEqual(len(perm), 3)
        self.assertTrue(all(r["category"] == "permanent" for r in perm))
        since = self.list_json("--since", str(self.since_ms))
        self.assertEqual(sorted(r["trace_id"] for r in since), sorted(r["trace_id"] for r in perm))
        iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self.since_ms / 1000)) + ".%03dZ" % (
            self.since_ms % 1000)
        self.assertEqual(len(self.list_json("--since", iso)), 3)
        r = self.list_json()[0]
        for k in ["topic", "partition", "offset", "trace_id", "stage", "category", "message", "attempts",
                  "original_topic", "original_partition", "original_offset", "first_failed_at",
                  "last_failed_at", "replay_count", "replayed"]:
            self.assertIn(k, r)
        self.assertEqual((r["topic"], r["stage"], r["original_topic"], r["attempts"]),
                         (self.dlq, "copy", self.input, 1))

    def test_list_rejects_bad_input_with_a_sentence(self):
        r = self.sluice("dlq", "list", self.dlq, "--category", "bogus")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("'bogus' is not an error category; use one of validation", r.stderr)
        r = self.sluice("dlq", "list", "no-such-topic")
        self.assertEqual(r.returncode, 1)
        self.assertIn("topic 'no-such-topic.dlq' does not exist", r.stderr)
        r = self.sluice("dlq", "list", "no-such-topic.dlq.parked")
        self.assertIn("topic 'no-such-topic.dlq.parked' does not exist", r.stderr, "parked topics keep their name")
        r = self.sluice("dlq", "list", self.dlq, "--since", "yesterday")
        self.assertEqual(r.returncode, 1)
        self.assertIn("'yesterday' is not a date-time", r.stderr)

    def test_view_shows_payload_key_and_every_header(self):
        records = self.list_json()
        traces = [r["trace_id"] for r in records]
        # (The replay test may have sent one poison record through the stage twice.)
        rec = next(r for r in records if r["category"] == "validation" and traces.count(r["trace_id"]) == 1)
        out = self.ok("dlq", "view", self.dlq, rec["trace_id"])
        self.assertIn("trace_id: " + rec["trace_id"], out)
        self.assertIn("payload (8 bytes, text):\n  poison-", out)
        self.assertIn("key: k-poison-", out)
        for h in DLQ_HEADERS:
            self.assertIn("  %s = " % h, out)
        [j] = json.loads(self.ok("dlq", "view", self.dlq, rec["trace_id"], "--json"))
        self.assertTrue(j["value"].startswith("poison-"))
        self.assertEqual(j["key"], "k-" + j["value"])
        self.assertEqual(sorted(h["name"] for h in j["headers"]), sorted(DLQ_HEADERS))
        r = self.sluice("dlq", "view", self.dlq, "no-such-trace")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no record with trace id 'no-such-trace'", r.stderr)

    def test_view_shows_binary_payloads_as_hex(self):
        topic = unique_name("bin") + ".dlq"
        p = ck_helpers.producer(self.broker.bootstrap)
        ck_helpers.produce_all(p, topic, [{"value": b"\xff\x00\x01", "headers": [("sluice.trace_id", b"tb")]}])
        out = self.ok("dlq", "view", topic, "tb")
        self.assertIn("payload (3 bytes, binary, hex):\n  ff 00 01", out)
        self.assertIn("key: (null)", out)
        [j] = json.loads(self.ok("dlq", "view", topic, "tb", "--json"))
        self.assertEqual((j["value"], j["key"]), ("hex:ff0001", None))

    def test_replay_by_trace_id_then_all_each_record_once(self):
        other = unique_name("other")
        self.ok("topics", "create", other, "--partitions", "3")
        ledger = self.dlq + ".replays"
        first = next(r for r in self.list_json() if r["category"] == "validation")
        pos = "%d/%d" % (first["partition"], first["offset"])

        # Dry runs write nothing, not even the ledger topic.
        out = self.ok("dlq", "replay", self.dlq, "--all", "--category", "permanent", "--dry-run")
        self.assertEqual(out.count("would replay "), 3 + 1, out)  # 3 lines + the summary
        self.assertIn("dry run: would replay 3, skipped 0 (already replayed), failed 0; nothing written", out)
        out = self.ok("dlq", "replay", self.dlq, "--all", "--since", str(self.since_ms), "--dry-run")
        self.assertIn("would replay 3,", out)
        self.assertFalse(self.topic_exists(ledger))
        input_before = self.count(self.input)

        # One record back to its original topic, with the replay headers.
        out = self.ok("dlq", "replay", self.dlq, first["trace_id"])
        self.assertIn("replayed 1, skipped 0 (already replayed), failed 0", out)
        self.assertEqual(self.count(self.input), input_before + 1)
        back = [m for m in self.read_all(self.input)
                if dict(m.headers or []).get("sluice.replayed_from") is not None]
        self.assertEqual(len(back), 1)
        h = {k: v.decode() for k, v in back[0].headers}
        self.assertEqual(h["sluice.replayed_from"], "%s/%s" % (self.dlq, pos))
        self.assertEqual(h["sluice.replay_count"], "1")
        self.assertEqual(h["sluice.trace_id"], first["trace_id"])
        self.assertFalse([k for k in h if k.startswith("sluice.error") or k.startswith("sluice.original")
                          or k == "sluice.attempts"], "error headers are dropped")
        viewed = json.loads(self.ok("dlq", "view", self.dlq, first["trace_id"], "--json"))[0]
        self.assertEqual((back[0].key.decode(), back[0].value.decode()), (viewed["key"], viewed["value"]))
        self.assertTrue(self.topic_exists(ledger))
        self.assertIn("cleanup.policy=compact", self.ok("topics", "describe", ledger))
        listed = {"%d/%d" % (r["partition"], r["offset"]): r for r in self.list_json()}
        self.assertEqual(listed[pos]["replayed"]["trace_id"], first["trace_id"])
        self.assertEqual(listed[pos]["replayed"]["to_topic"], self.input)
        self.assertIn("REPLAYED", [l for l in self.ok("dlq", "list", self.dlq).splitlines() if l.startswith(pos + " ")][0])

        # The stage fails it again: a second DLQ record with the same trace id.
        again = wait_until(lambda: [r for r in self.list_json() if r["trace_id"] == first["trace_id"]
                                    and "%d/%d" % (r["partition"], r["offset"]) != pos], 60, 0.3,
                           "the replayed poison record back in the DLQ")[0]
        pos2 = "%d/%d" % (again["partition"], again["offset"])

        # Replaying that trace id again skips what was replayed and sends the new record once.
        out = self.ok("dlq", "replay", self.dlq, first["trace_id"], "--to", other)
        self.assertIn("skip    %s trace %s: already replayed at " % (pos, first["trace_id"]), out)
        self.assertIn("replayed 1, skipped 1 (already replayed), failed 0", out)
        [m] = self.read_all(other)
        h = {k: v.decode() for k, v in m.headers}
        self.assertEqual(h["sluice.replayed_from"], "%s/%s" % (self.dlq, pos2))
        self.assertEqual(h["sluice.replay_count"], str(again["replay_count"] + 1))
        out = self.ok("dlq", "replay", self.dlq, first["trace_id"], "--to", other)
        self.assertIn("replayed 0, skipped 2 (already replayed), failed 0", out)

        # Everything else, to another topic; then nothing is left to replay.
        out = self.ok("dlq", "replay", self.dlq, "--all", "--to", other)
        self.assertIn("replayed 7, skipped 2 (already replayed), failed 0", out)
        got = self.read_all(other)
        self.assertEqual(len(got), 8)
        sources = [dict(m.headers)["sluice.replayed_from"].decode() for m in got]
        self.assertEqual(len(set(sources)), 8, "each DLQ record replayed once")
        self.assertEqual(sorted(m.value.decode().split("-")[0] for m in got),
                         ["permanent"] * 3 + ["poison"] * 5)
        out = self.ok("dlq", "replay", self.dlq, "--all", "--to", other)
        self.assertIn("replayed 0, skipped 9 (already replayed), failed 0", out)
        self.assertEqual(self.count(other), 8)
        self.assertEqual(self.count(ledger), 9)

    def test_replay_failures_are_counted_and_exit_non_zero(self):
        topic = unique_name("hand") + ".dlq"
        self.produce(topic, ["no-origin"], headers=[("sluice.trace_id", b"t-hand")])
        r = self.sluice("dlq", "replay", topic, "--all")
        self.assertEqual(r.returncode, 1)
        self.assertIn("it has no sluice.original.topic header; pass --to TOPIC", r.stdout)
        self.assertIn("replayed 0, skipped 0 (already replayed), failed 1", r.stdout)
        r = self.sluice("dlq", "replay", topic, "t-hand", "--to", "no-such-topic")
        self.assertEqual(r.returncode, 1)
        self.assertIn("topic 'no-such-topic' does not exist", r.stdout)
        r = self.sluice("dlq", "replay", topic)
        self.assertEqual(r.returncode, 1)
        self.assertIn("name one TRACE_ID or pass --all", r.stderr)

    def test_replay_json_reports_counts_and_each_record(self):
        topic = unique_name("hand") + ".dlq"
        target = unique_name("target")
        self.ok("topics", "create", target, "--partitions", "1")
        self.produce(topic, ["a", "b"], headers=[("sluice.trace_id", b"t-json")])
        dry = json.loads(self.ok("dlq", "replay", topic, "--all", "--to", target, "--dry-run", "--json"))
        self.assertEqual((dry["dry_run"], dry["would_replay"], dry["failed"]), (True, 2, 0))
        self.assertEqual({r["status"] for r in dry["records"]}, {"would_replay"})
        done = json.loads(self.ok("dlq", "replay", topic, "--all", "--to", target, "--json"))
        self.assertEqual((done["replayed"], done["skipped"], done["failed"]), (2, 0, 0))
        self.assertEqual(sorted(r["offset"] for r in done["records"]), [0, 1])
        self.assertTrue(all(r["to"] == target and r["partition"] == 0 and r["replay_count"] == 1
                            for r in done["records"]), done)
        again = json.loads(self.ok("dlq", "replay", topic, "--all", "--to", target, "--json"))
        self.assertEqual((again["replayed"], again["skipped"]), (0, 2))
        self.assertTrue(all(r["status"] == "skipped" and r["reason"].startswith("already replayed")
                            for r in again["records"]), again)

    def test_list_wide_shows_the_whole_error(self):
        topic = unique_name("hand") + ".dlq"
        message = "upstream said: " + " ".join("word%d" % i for i in range(40)) + " END"
        self.produce(topic, ["x"], headers=[("sluice.trace_id", b"t-wide"),
                                            ("sluice.error.message", message.encode())])
        narrow = self.ok("dlq", "list", topic)
        self.assertNotIn("END", narrow)
        self.assertIn("...", narrow)
        wide = self.ok("dlq", "list", topic, "--wide")
        self.assertIn(message, wide)


if __name__ == "__main__":
    unittest.main()
