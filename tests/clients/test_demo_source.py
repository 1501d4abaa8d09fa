"""`sluice demo-source` against the built-in broker: every produced event is on
the topic with the key and trace id the manifest names, the bad share is spread
evenly over the ten bad kinds, and the attachment server answers each kind the
way the manifest says (fetched with urllib, redirects not followed)."""

import collections
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import unittest
import urllib.error
import urllib.request

from broker import BrokerProcess, sluice_bin, wait_until
from confluent_kafka import Consumer

READY_RE = re.compile(r"serving attachments on (http://127\.0\.0\.1:\d+)")
COUNT = 200
BAD_CASES = {"malformed_json", "schema_violation", "http_404", "http_503_burst", "slow_server",
             "hanging_server", "oversized", "wrong_content_type", "untrusted_domain", "redirect_private"}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(url, timeout=30):
    """(status, headers, body) without following redirects."""
    try:
        with OPENER.open(url, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


class DemoSourceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="sluice-demo-")
        cls.broker = BrokerProcess(tmpdir=os.path.join(cls.tmp.name, "broker"))
        cls.manifest_path = os.path.join(cls.tmp.name, "m.jsonl")
        cls.stderr_path = os.path.join(cls.tmp.name, "demo.stderr.log")
        err = open(cls.stderr_path, "wb")
        cls.proc = subprocess.Popen(
            [sluice_bin(), "demo-source", "--bootstrap", cls.broker.bootstrap, "--count", str(COUNT),
             "--rate", "1000", "--bad-share", "0.3", "--seed", "11", "--manifest", cls.manifest_path,
             "--oversize-bytes", "1MiB"],
            stdout=subprocess.PIPE, stderr=err, text=True)
        err.close()
        line = cls.proc.stdout.readline()
        m = READY_RE.search(line)
        if not m:
            cls.tearDownClass()
            raise AssertionError("demo-source did not start: %r\n%s" % (line, cls.stderr_tail()))
        cls.base_url = m.group(1)
        threading.Thread(target=cls.proc.stdout.read, daemon=True).start()
        wait_until(lambda: "all %d events sent" % COUNT in cls.stderr_tail(), 60,
                   message="demo-source to send every event")
        with open(cls.manifest_path) as f:
            cls.manifest = [json.loads(line) for line in f]
        cls.by_case = collections.defaultdict(list)
        for entry in cls.manifest:
            cls.by_case[entry["case"]].append(entry)

    @classmethod
    def tearDownClass(cls):
        if cls.proc.poll() is None:
            cls.proc.kill()
            cls.proc.wait(timeout=20)
        cls.broker.close()
        cls.tmp.cleanup()

    @classmethod
    def stderr_tail(cls):
        with open(cls.stderr_path, "rb") as f:
            return f.read().decode("utf-8", "replace")[-4000:]

    def attachment(self, case, server):
        for entry in self.by_case[case]:
            for a in entry["attachments"]:
                if a["server"] == server:
                    return a
        self.fail("no %s attachment served as %s in the manifest" % (case, server))

    # ---------------------------------------------------------------- topic
    def test_every_event_is_on_the_topic_with_key_and_trace_id(self):
        c = Consumer({"bootstrap.servers": self.broker.bootstrap, "group.id": "demo-test",
                      "auto.offset.reset": "earliest", "enable.auto.commit": False})
        c.subscribe(["claims.events"])
        records = []
        try:
            def more():
                for m in c.consume(500, timeout=0.5):
                    if not m.error():
                        records.append(m)
                return len(records) >= COUNT
            wait_until(more, 60, message="%d records on claims.events" % COUNT)
            for m in c.consume(100, timeout=1.0):  # nothing beyond COUNT
                if not m.error():
                    records.append(m)
        finally:
            c.close()
        self.assertEqual(len(records), COUNT)
        manifest = {e["claim_id"]: e for e in self.manifest}
        malformed = 0
        for m in records:
            claim_id = m.key().decode()
            entry = manifest[claim_id]
            headers = dict(m.headers() or [])
            self.assertEqual(headers["sluice.trace_id"].decode(), entry["trace_id"])
            self.assertRegex(entry["trace_id"], r"^[0-9a-f]{32}$")
            try:
                event = json.loads(m.value())
            except ValueError:
                self.assertEqual(entry["case"], "malformed_json")
                malformed += 1
                continue
            self.assertNotEqual(entry["case"], "malformed_json")
            if entry["case"] == "schema_violation":
                continue
            self.assertEqual(event["claim_id"], claim_id)
            self.assertEqual(event["event_type"], "claim.submitted")
            self.assertEqual([a["url"] for a in event["attachments"]],
                             [a["url"] for a in entry["attachments"]])
        self.assertEqual(malformed, 6)

    # ------------------------------------------------------------- manifest
    def test_manifest_spreads_bad_events_evenly(self):
        self.assertEqual(len(self.manifest), COUNT)
        self.assertEqual(len({e["claim_id"] for e in self.manifest}), COUNT)
        self.assertEqual(len(self.by_case["good"]), 140)
        self.assertEqual(set(self.by_case) - {"good"}, BAD_CASES)
        for case in BAD_CASES:
            self.assertEqual(len(self.by_case[case]), 6, case)
        for case in ("malformed_json", "schema_violation"):
            for e in self.by_case[case]:
                self.assertEqual(e["event"], {"expected": "dlq", "category": "validation",
                                              "reason": case})
                self.assertEqual(e["attachments"], [])
        expected = {"http_404": ("permanent", "not_found"), "hanging_server": ("timeout", "timeout"),
                    "oversized": ("permanent", "too_large"),
                    "wrong_content_type": ("permanent", "content_type_mismatch"),
                    "untrusted_domain": ("permanent", "domain_not_allowed"),
                    "redirect_private": ("permanent", "private_address")}
        for case, (category, reason) in expected.items():
            for e in self.by_case[case]:
                bad = [a for a in e["attachments"] if a["expected"] == "dlq"]
                self.assertEqual(len(bad), 1, e)
                self.assertEqual((bad[0]["category"], bad[0]["reason"]), (category, reason))
        for case in ("good", "http_503_burst", "slow_server"):
            for e in self.by_case[case]:
                self.assertEqual(e["event"], {"expected": "accepted"})
                for i, a in enumerate(e["attachments"]):
                    self.assertEqual(a["task_id"], "%s/%d" % (e["claim_id"], i))
                    self.assertEqual(a["expected"], "stored")
                    self.assertTrue(2048 <= a["size"] <= 200 * 1024, a)
        for e in self.by_case["untrusted_domain"]:
            hosts = {a["url"].split("/")[2].split(":")[0] for a in e["attachments"] if a["expected"] == "dlq"}
            self.assertEqual(hosts, {"localhost"})

    # ----------------------------------------------------------------- http
    def test_good_files_are_deterministic_pdfs(self):
        a = self.by_case["good"][0]["attachments"][0]
        status, headers, body = fetch(a["url"])
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "application/pdf")
        self.assertEqual(len(body), a["size"])
        self.assertTrue(body.startswith(b"%PDF-1.4"))
        self.assertTrue(body.endswith(b"%%EOF\n"))
        self.assertEqual(fetch(a["url"])[2], body)

    def test_file_bytes_are_the_same_in_every_version(self):
        # The bytes are pinned: objects are stored under their sha256, and a run's
        # files must be reproducible from its seed (the generator is a hot path that
        # gets optimised). Whole files and the chunked oversize stream both count.
        good = self.by_case["good"][0]["attachments"][0]
        oversized = self.attachment("oversized", "oversized")
        digests = {name: hashlib.sha256(fetch(a["url"])[2]).hexdigest()
                   for name, a in (("good", good), ("oversized", oversized))}
        self.assertEqual(digests, {
            "good": "c125032993cda42b2c3bb42ff7928e49493def85cec81c7cd2d4bb8fbf009c10",
            "oversized": "292825dc8d9b0a486031f35c7f2c0c169181e02ba2fc1e3d2b3394db69a93257"})

    def test_not_found(self):
        status, _, _ = fetch(self.attachment("http_404", "404")["url"])
        self.assertEqual(status, 404)
        status, _, _ = fetch(self.base_url + "/files/C-1/0.pdf")  # not a claim of this run
        self.assertEqual(status, 404)

    def test_unavailable_twice_then_served(self):
        a = self.attachment("http_503_burst", "503_then_file")
        self.assertEqual(fetch(a["url"])[0], 503)
        self.assertEqual(fetch(a["url"])[0], 503)
        status, headers, body = fetch(a["url"])
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "application/pdf")
        self.assertEqual(len(body), a["size"])

    def test_redirects_to_private_addresses(self):
        locations = set()
        for e in self.by_case["redirect_private"]:
            for a in e["attachments"]:
                if a["expected"] == "dlq":
                    status, headers, _ = fetch(a["url"])
                    self.assertEqual(status, 302)
                    locations.add(headers["Location"])
        self.assertEqual(locations, {"http://10.0.0.1/x", "http://169.254.169.254/latest/meta-data/"})

    def test_wrong_content_type(self):
        status, headers, body = fetch(self.attachment("wrong_content_type", "html")["url"])
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/html"))
        self.assertIn(b"<html>", body)

    def test_oversized_is_streamed_at_the_configured_size(self):
        status, headers, body = fetch(self.attachment("oversized", "oversized")["url"])
        self.assertEqual(status, 200)
        self.assertEqual(int(headers["Content-Length"]), 1 << 20)
        self.assertEqual(len(body), 1 << 20)
        self.assertTrue(body.startswith(b"%PDF-1.4"))

    def test_slow_file_arrives(self):
        a = self.attachment("slow_server", "slow_file")
        status, _, body = fetch(a["url"], timeout=30)
        self.assertEqual(status, 200)
        self.assertEqual(len(body), a["size"])

    def test_hanging_file_never_answers(self):
        with self.assertRaises((socket.timeout, TimeoutError, urllib.error.URLError)):
            fetch(self.attachment("hanging_server", "hang")["url"], timeout=1)

    # zz: runs last (unittest sorts by name) — stops the source.
    def test_zz_sigterm_stops_cleanly(self):
        # A hanging request in flight must not hold up the exit.
        t = threading.Thread(target=lambda: self.assertRaises(
            Exception, fetch, self.attachment("hanging_server", "hang")["url"], 30), daemon=True)
        t.start()
        self.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.proc.wait(timeout=30), 0, self.stderr_tail())
        tail = self.stderr_tail()
        self.assertIn("%d events sent" % COUNT, tail)
        self.assertIn("%d delivered, 0 failed" % COUNT, tail)


class MaxAttachmentSizeTest(unittest.TestCase):
    """--max-attachment-size shrinks the served files (long chaos runs on a small disk)."""

    def test_sizes_stay_under_the_limit_and_the_files_are_served_at_their_size(self):
        with tempfile.TemporaryDirectory(prefix="sluice-demo-max-") as tmp, \
                BrokerProcess(tmpdir=os.path.join(tmp, "broker")) as broker:
            manifest_path = os.path.join(tmp, "m.jsonl")
            proc = subprocess.Popen(
                [sluice_bin(), "demo-source", "--bootstrap", broker.bootstrap, "--count", "40",
                 "--rate", "1000", "--bad-share", "0", "--seed", "5", "--manifest", manifest_path,
                 "--max-attachment-size", "4KiB"],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            try:
                self.assertIsNotNone(READY_RE.search(proc.stdout.readline()))
                wait_until(lambda: os.path.exists(manifest_path) and
                           sum(1 for _ in open(manifest_path)) == 40, 60,
                           message="every event to be acknowledged")
                with open(manifest_path) as f:
                    files = [a for line in f for a in json.loads(line)["attachments"]]
                sizes = [a["size"] for a in files]
                self.assertTrue(all(2048 <= n <= 4096 for n in sizes), sizes)
                self.assertGreater(len(set(sizes)), 10, "sizes are spread over the range")
                for a in files[:5]:
                    status, _, body = fetch(a["url"])
                    self.assertEqual((status, len(body)), (200, a["size"]))
            finally:
                proc.kill()
                proc.wait(timeout=20)

    def test_a_size_too_small_for_a_pdf_is_refused_with_the_flag_named(self):
        r = subprocess.run([sluice_bin(), "demo-source", "--bootstrap", "127.0.0.1:1",
                            "--max-attachment-size", "100"],
                           capture_output=True, text=True, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--max-attachment-size '100'", r.stderr)
        self.assertIn("at least 1KiB", r.stderr)

    def test_a_linger_outside_0_to_10000_ms_is_refused_with_the_flag_named(self):
        r = subprocess.run([sluice_bin(), "demo-source", "--bootstrap", "127.0.0.1:1", "--kind", "ticks",
                            "--linger-ms", "-5"], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--linger-ms", r.stderr)
        self.assertIn("not in range 0 to 10000", r.stderr)


if __name__ == "__main__":
    unittest.main()
