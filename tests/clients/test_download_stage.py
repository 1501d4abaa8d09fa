"""The `download` processor end to end: a real `sluice run` stage against the
built-in broker, downloading from a real HTTP server on 127.0.0.1 into a local
object store. Loopback is opened with allowed_addresses: [127.0.0.1/32], so
every other private range (10/8, 169.254/16...) stays refused, which the
redirect cases rely on. Each failure must end in the DLQ with the right
category and a message naming the host; a kill -9 mid-transfer must lose no task."""

import hashlib
import http.server
import json
import os
import shutil
import tempfile
import threading
import time
import unittest

import ck_helpers
from broker import BrokerProcess, unique_name
from stage_fixture import StageProcess
from confluent_kafka import Consumer

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 400 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"x" * 1000
SLOW_S = 3.0  # longer than the stage's total_timeout


class Handler(http.server.BaseHTTPRequestHandler):
    """Each path is one behaviour; see ROUTES."""
    server_version = "dltest"
    hits = {}
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def count(self):
        with Handler.lock:
            Handler.hits[self.path] = Handler.hits.get(self.path, 0) + 1
            return Handler.hits[self.path]

    def send(self, status, body=b"", content_type="application/pdf", headers=(), length=True):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def redirect(self, location):
        self.send(302, b"", "text/plain", [("Location", location)])

    def do_GET(self):
        n = self.count()
        p = self.path
        if p.startswith("/doc.pdf"):
            return self.send(200, PDF, "application/pdf; charset=binary")
        if p.startswith("/missing"):
            return self.send(404, b"not here", "text/plain")
        if p.startswith("/gone"):
            return self.send(410, b"gone", "text/plain")
        if p.startswith("/flaky/"):
            return self.send(500, b"oops", "text/plain") if n == 1 else self.send(200, PDF)
        if p.startswith("/broken"):
            return self.send(503, b"down", "text/plain")
        if p.startswith("/slow"):
            time.sleep(SLOW_S)
            return self.send(200, PDF)
        if p.startswith("/trickle/"):
            time.sleep(0.2)
            return self.send(200, PDF)
        if p.startswith("/big-declared"):
            return self.send(200, b"x" * (2 << 20))
        if p.startswith("/big-streamed"):
            # No Content-Length: the stage must stop once the limit is passed.
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.end_headers()
            try:
                for _ in range(64):
                    self.wfile.write(b"y" * 65536)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if p.startswith("/html"):
            return self.send(200, b"<html></html>", "text/html; charset=utf-8")
        if p.startswith("/png"):
            return self.send(200, PNG, "image/png")
        if p.startswith("/to-metadata"):
            return self.redirect("http://169.254.169.254/latest/meta-data/")
        if p.startswith("/to-private"):
            return self.redirect("http://10.0.0.1/x")
        if p.endswith("/to-doc"):
            return self.redirect("../doc.pdf?via=redirect")
        if p.startswith("/loop/"):
            return self.redirect("/loop/%d" % (int(p.split("/")[2]) + 1))
        return self.send(404, b"", "text/plain")


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 256  # the default 5 drops connects from a stage with many workers
    daemon_threads = True


class HttpServer:
    def __init__(self):
        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class TopicReader:
    """Keeps reading a topic from the start; `records` grows as they arrive."""

    def __init__(self, bootstrap, topic):
        self.c = Consumer({"bootstrap.servers": bootstrap, "group.id": unique_name("reader"),
                           "auto.offset.reset": "earliest", "enable.auto.commit": False})
        self.c.subscribe([topic])
        self.records = []

    def poll_until(self, done, timeout):
        deadline = time.monotonic() + timeout
        while not done() and time.monotonic() < deadline:
            m = self.c.poll(0.2)
            if m is not None and m.error() is None:
                self.records.append(m)
        return done()

    def close(self):
        self.c.close()


class DownloadStageTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.http = HttpServer()

    @classmethod
    def tearDownClass(cls):
        cls.http.stop()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sluice-download-")
        self.store = os.path.join(self.tmp, "store")
        self.broker = BrokerProcess(default_partitions=3, group_initial_rebalance_delay_ms=0)
        self.input = unique_name("downloads")
        self.output = unique_name("results")
        self.stages = []
        self.readers = []

    def tearDown(self):
        for r in self.readers:
            r.close()
        for s in self.stages:
            if s.proc and s.proc.poll() is None:
                s.kill9()
        self.broker.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def pipeline(self, options="", workers=8):
        path = os.path.join(self.tmp, "pipeline.yaml")
        with open(path, "w") as f:
            f.write("""pipeline: dltest
bootstrap: %s
stages:
  - name: download
    input: %s
    outputs: [%s]
    processor: download
    options:
      store: %s
      connect_timeout: 1s
      total_timeout: 1500ms
      max_bytes: 1MiB
      allowed_addresses: [127.0.0.1/32]
      max_redirects: 3
      host_breaker: {min_calls: 100000}
%s
    retry: {max_attempts: 2, initial_backoff_ms: 20, max_backoff_ms: 100, delay_topics: [200ms]}
    queue: {workers: %d, batch_size: 1, in_flight_per_partition: %d}
""" % (self.broker.bootstrap, self.input, self.output, self.store, options, workers, workers))
        return path

    def start_stage(self, path):
        s = StageProcess(path, self.tmp).start()
        self.stages.append(s)
        return s

    def reader(self, topic):
        r = TopicReader(self.broker.bootstrap, topic)
        self.readers.append(r)
        return r

    def produce(self, tasks):
        p = ck_helpers.producer(self.broker.bootstrap)
        msgs = [{"value": json.dumps(t).encode(), "key": t.get("claim_id", "x").encode()} for t in tasks]
        for d in ck_helpers.produce_all(p, self.input, msgs):
            self.assertIsNone(d.error)

    def task(self, name, path, **extra):
        t = {"trace_id": "tr-" + name, "claim_id": "C-" + name, "task_id": "C-%s/0" % name,
             "url": self.http.url(path)}
        t.update(extra)
        return t

    def test_successes_and_every_failure_kind(self):
        ok = {
            "pdf": self.task("pdf", "/doc.pdf", expected_type="application/pdf"),
            "flaky": self.task("flaky", "/flaky/%s" % unique_name("f")),
            "redirected": self.task("redirected", "/x/to-doc"),
            "png": self.task("png", "/png", expected_type="image/png"),
        }
        failing = {
            # name: (task, category, words the message must contain)
            "missing": (self.task("missing", "/missing"), "permanent", ["HTTP 404", "127.0.0.1"]),
            "gone": (self.task("gone", "/gone"), "permanent", ["HTTP 410", "127.0.0.1"]),
            "broken": (self.task("broken", "/broken"), "transient", ["HTTP 503", "127.0.0.1"]),
            "slow": (self.task("slow", "/slow"), "timeout", ["total_timeout", "127.0.0.1"]),
            "bigdecl": (self.task("bigdecl", "/big-declared"), "permanent", ["larger than max_bytes", "127.0.0.1"]),
            "bigstream": (self.task("bigstream", "/big-streamed"), "permanent",
                          ["larger than max_bytes", "127.0.0.1"]),
            "html": (self.task("html", "/html"), "permanent", ["text/html", "allowed_content_types", "127.0.0.1"]),
            "expected": (self.task("expected", "/png", expected_type="application/pdf"), "permanent",
                         ["image/png", "expected application/pdf", "127.0.0.1"]),
            "metadata": (self.task("metadata", "/to-metadata"), "permanent",
                         ["169.254.169.254", "metadata", "SSRF"]),
            "private": (self.task("private", "/to-private"), "permanent", ["10.0.0.1", "private", "SSRF"]),
            "loop": (self.task("loop", "/loop/0"), "permanent", ["too many redirects", "127.0.0.1"]),
            "refused": ({"trace_id": "tr-refused", "claim_id": "C-refused", "task_id": "C-refused/0",
                         "url": "http://127.0.0.1:1/nothing-listens"}, "transient", ["127.0.0.1", "connect"]),
            "ftp": ({"claim_id": "C-ftp", "task_id": "C-ftp/0", "url": "ftp://127.0.0.1/x"}, "permanent",
                    ["scheme", "127.0.0.1"]),
            "nourl": ({"claim_id": "C-nourl", "task_id": "C-nourl/0"}, "validation", ["no url"]),
        }
        out = self.reader(self.output)
        dlq = self.reader(self.input + ".dlq")
        stage = self.start_stage(self.pipeline())
        self.produce(list(ok.values()) + [t for t, _, _ in failing.values()])

        self.assertTrue(out.poll_until(lambda: len({m.key() for m in out.records}) >= len(ok), 90),
                        "results: %r\n%s" % ([m.value() for m in out.records], stage.log_tail()))
        self.assertTrue(dlq.poll_until(lambda: len({m.key() for m in dlq.records}) >= len(failing), 90),
                        "dlq: %r\n%s" % ([m.key() for m in dlq.records], stage.log_tail()))

        results = {json.loads(m.value())["claim_id"]: json.loads(m.value()) for m in out.records}
        want_bytes = {"pdf": PDF, "flaky": PDF, "redirected": PDF, "png": PNG}
        for name, body in want_bytes.items():
            r = results["C-" + name]
            sha = hashlib.sha256(body).hexdigest()
            self.assertEqual(r["sha256"], sha, name)
            self.assertEqual(r["size_bytes"], len(body), name)
            self.assertEqual(r["status"], "stored")
            self.assertEqual(r["object_key"], "attachments/C-%s/%s" % (name, sha))
            self.assertEqual((r["trace_id"], r["task_id"], r["url"]), (ok[name]["trace_id"], ok[name]["task_id"],
                                                                       ok[name]["url"]))
            self.assertRegex(r["downloaded_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            with open(os.path.join(self.store, r["object_key"]), "rb") as f:
                self.assertEqual(f.read(), body, "the stored object is the downloaded body")
        self.assertEqual(results["C-pdf"]["content_type"], "application/pdf; charset=binary")
        self.assertEqual(Handler.hits[urlpath(ok["flaky"]["url"])], 2, "500 then 200: one retry")

        dead = {m.key().decode(): m for m in dlq.records}
        for name, (t, category, words) in failing.items():
            m = dead["C-" + name]
            h = {k: v.decode() for k, v in m.headers()}
            self.assertEqual(h["sluice.error.category"], category, "%s: %s" % (name, h["sluice.error.message"]))
            for w in words:
                self.assertIn(w, h["sluice.error.message"], name)
            self.assertEqual(json.loads(m.value()), t, "the DLQ keeps the task as it was")
        self.assertFalse(os.path.exists(os.path.join(self.store, "attachments", "C-bigstream")))

        # Errors by domain: every failure is logged with the host as a field.
        failures = [e for e in stage.log_events() if e.get("component") == "download" or e.get("host")]
        hosts = {e.get("claim_id"): e.get("host") for e in failures if e.get("error")}
        for name in ["missing", "slow", "html", "loop", "broken"]:
            self.assertEqual(hosts.get("C-" + name), "127.0.0.1", name)
        self.assertEqual(hosts.get("C-metadata"), "169.254.169.254")
        self.assertEqual(hosts.get("C-private"), "10.0.0.1")

    def test_an_open_host_breaker_fails_fast_without_connecting(self):
        path = self.pipeline()
        with open(path) as f:
            text = f.read().replace("host_breaker: {min_calls: 100000}",
                                    "host_breaker: {min_calls: 3, window: 1m, open_for: 1m}")
        with open(path, "w") as f:
            f.write(text)
        self.start_stage(path)
        dlq = self.reader(self.input + ".dlq")
        self.produce([self.task("b%d" % i, "/broken?%d" % i) for i in range(10)])
        self.assertTrue(dlq.poll_until(lambda: len({m.key() for m in dlq.records}) >= 10, 90))
        messages = [dict(m.headers())["sluice.error.message"].decode() for m in dlq.records]
        self.assertTrue(any("circuit open for host 127.0.0.1" in m for m in messages), messages)
        broken_hits = sum(n for p, n in Handler.hits.items() if p.startswith("/broken?"))
        self.assertLess(broken_hits, 10 * 4, "an open breaker stops calling the host")

    def test_kill_9_mid_transfer_loses_no_task(self):
        path = self.pipeline(workers=4)
        stage = self.start_stage(path)
        tasks = [self.task("k%03d" % i, "/trickle/%s-%d" % (self.input, i)) for i in range(120)]
        out = self.reader(self.output)
        self.produce(tasks)
        self.assertTrue(out.poll_until(lambda: len(out.records) >= 15, 60), stage.log_tail())
        stage.kill9()
        self.start_stage(path)
        want = {t["task_id"] for t in tasks}
        got = lambda: {json.loads(m.value())["task_id"] for m in out.records}
        self.assertTrue(out.poll_until(lambda: got() >= want, 120), "missing: %s" % sorted(want - got())[:10])
        for m in out.records:
            r = json.loads(m.value())
            self.assertTrue(os.path.exists(os.path.join(self.store, r["object_key"])))


def urlpath(url):
    return "/" + url.split("/", 3)[3]


if __name__ == "__main__":
    unittest.main()
