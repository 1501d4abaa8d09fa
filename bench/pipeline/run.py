#!/usr/bin/env python3
"""bench/pipeline: the claim-attachment pipeline (events -> download -> results)
run by sluice against a plain Python worker (reference.py) doing the same job,
on the same broker, with the same events and the same kind of attachment server,
in the same run. Prints events/s, attachments/s and end-to-end latency for both,
and the ratio sluice/reference for events/s (target >= 20, never asserted).

One run:
  1. `sluice broker --listen 127.0.0.1:0 --default-partitions P` on a fresh data dir.
  2. For each contender, in turn (sluice, then reference):
     - its topics are created (bench.<name>.events, .results; sluice also
       .downloads); the contender is started and waited for until it is ready
       (sluice: both stages answer /readyz; reference: partitions assigned);
     - `sluice demo-source --bad-share 0 --count N --rate R --seed S` produces
       the events into the contender's events topic and serves their
       attachments on 127.0.0.1 (same seed: the same claims, attachment counts,
       sizes and bytes for both contenders);
     - done when the results topic holds one record per attachment (counted
       from the demo source's manifest). Then both topics are read back.
  3. events/s = N / (last result record timestamp - first event record
     timestamp); attachments/s likewise; latency per attachment = its result
     record's timestamp - its event record's timestamp (both Kafka CreateTime,
     same clock). With the default --rate the events arrive as a burst, so the
     latencies are mostly time spent waiting in the backlog; use a --rate below
     both contenders' capacity to see the per-event latency instead.

Exit status 0 whatever the figures; 1 if it could not run.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
PIPELINE = os.path.join(REPO_ROOT, "examples", "claims-attachments", "pipeline.yaml")


def _importable_confluent_kafka():
    try:
        import confluent_kafka  # noqa: F401
    except ImportError:
        dist = "/usr/lib/python3/dist-packages"
        if os.path.isdir(dist) and dist not in sys.path:
            sys.path.append(dist)


_importable_confluent_kafka()
from confluent_kafka import Consumer, Producer, TopicPartition  # noqa: E402

STALL_TIMEOUT_S = 60.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


class BenchError(RuntimeError):
    pass


def tail(path, lines=15):
    try:
        with open(path, "r", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


class Child:
    """A child process: stdout on a pipe (read by a thread, lines kept), stderr to a log."""

    def __init__(self, name, argv, log, env=None, cwd=None):
        self.name, self.log = name, log
        self.lines = []
        self._cv = threading.Condition()
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=open(log, "wb"),
                                     env=env, cwd=cwd, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.proc.stdout:
            with self._cv:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self._cv.notify_all()
        with self._cv:
            self._cv.notify_all()

    def wait_line(self, pattern, timeout):
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cv:
            while True:
                for line in self.lines:
                    m = regex.search(line)
                    if m:
                        return m
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise BenchError("%s printed no line matching %r (%s); log %s:\n%s"
                                     % (self.name, pattern, self.status(), self.log, tail(self.log)))
                self._cv.wait(min(left, 0.2))

    def status(self):
        rc = self.proc.poll()
        return "running" if rc is None else "exited with %d" % rc

    def cpu_seconds(self):
        try:
            with open("/proc/%d/stat" % self.proc.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / CLK_TCK
        except (OSError, IndexError, ValueError):
            return 0.0

    def stop(self, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return "killed (no exit within %d s of SIGTERM)" % timeout
        rc = self.proc.returncode
        return "exit %d" % rc if rc >= 0 else "signal %d" % -rc


class Topics:
    """Creates topics (auto-created on a producer's metadata request) and counts records."""

    def __init__(self, bootstrap):
        self.bootstrap = bootstrap
        self.producer = Producer({"bootstrap.servers": bootstrap})
        self.consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench.pipeline.meta",
                                  "enable.auto.commit": False})

    def ensure(self, topic, partitions):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            md = self.producer.list_topics(topic, timeout=5).topics.get(topic)
            if md is not None and md.error is None and len(md.partitions) >= partitions \
                    and all(p.leader >= 0 for p in md.partitions.values()):
                return len(md.partitions)
            time.sleep(0.2)
        raise BenchError("topic %s did not get %d partitions with leaders within 30 s"
                         % (topic, partitions))

    def partitions(self, topic):
        return sorted(self.producer.list_topics(topic, timeout=5).topics[topic].partitions)

    def records(self, topic, partitions):
        total = 0
        for p in partitions:
            try:
                total += self.consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=5)[1]
            except Exception:  # noqa: BLE001 - a partition that does not answer counts as 0
                pass
        return total

    def read_all(self, topic):
        """Every record of `topic` up to its current end: list of (key, value, timestamp ms)."""
        parts = self.partitions(topic)
        ends = {p: self.consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=5)[1]
                for p in parts}
        reader = Consumer({"bootstrap.servers": self.bootstrap, "group.id": "bench.pipeline.read",
                           "enable.auto.commit": False})
        reader.assign([TopicPartition(topic, p, 0) for p in parts if ends[p] > 0])
        remaining = {p: e for p, e in ends.items() if e > 0}
        out = []
        deadline = time.monotonic() + 120
        while remaining and time.monotonic() < deadline:
            for msg in reader.consume(num_messages=5000, timeout=1.0):
                if msg.error():
                    continue
                out.append((msg.key(), msg.value(), msg.timestamp()[1]))
                if msg.offset() + 1 >= remaining.get(msg.partition(), 1 << 62):
                    del remaining[msg.partition()]
        reader.close()
        if remaining:
            raise BenchError("could not read %s to its end within 120 s" % topic)
        return out


def http_ok(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except Exception:  # noqa: BLE001
        return False


def start_sluice(o, scratch, bootstrap, names):
    env = dict(os.environ)
    env.update({
        "SLUICE_BOOTSTRAP": bootstrap,
        "SLUICE_STAGE_INGEST_INPUT": names["events"],
        "SLUICE_STAGE_INGEST_OUTPUTS": names["downloads"],
        "SLUICE_STAGE_DOWNLOAD_INPUT": names["downloads"],
        "SLUICE_STAGE_DOWNLOAD_OUTPUTS": names["results"],
        "SLUICE_STAGE_DOWNLOAD_OPTIONS_STORE": os.path.join(o.store_dir, "sluice-store"),
    })
    children = []
    for stage in ("ingest", "download"):
        children.append(Child("sluice run --stage " + stage,
                              [o.sluice, "run", PIPELINE, "--stage", stage],
                              os.path.join(scratch, "sluice-%s.log" % stage), env=env, cwd=REPO_ROOT))
    deadline = time.monotonic() + 60
    for child in children:
        m = child.wait_line(r"admin on (http://[0-9.]+:\d+)", 30)
        child.admin = m.group(1)
        while not http_ok(m.group(1) + "/readyz"):
            if time.monotonic() > deadline or child.proc.poll() is not None:
                raise BenchError("%s not ready within 60 s (%s); log %s:\n%s"
                                 % (child.name, child.status(), child.log, tail(child.log)))
            time.sleep(0.1)
    return children


def start_reference(o, scratch, bootstrap, names):
    child = Child("reference.py",
                  [sys.executable, os.path.join(HERE, "reference.py"), "--bootstrap", bootstrap,
                   "--topic", names["events"], "--results", names["results"],
                   "--store", os.path.join(o.store_dir, "reference-store"),
                   "--threads", str(o.reference_threads)],
                  os.path.join(scratch, "reference.log"))
    child.wait_line(r"^reference: ready", 60)
    return [child]


def mean_processing_ms(admin):
    """Mean kafka_processing_duration_seconds of a stage (from its /metrics), in ms."""
    try:
        with urllib.request.urlopen(admin + "/metrics", timeout=5) as r:
            text = r.read().decode()
    except Exception:  # noqa: BLE001
        return float("nan")
    values = {}
    for line in text.splitlines():
        for part in ("sum", "count"):
            if line.startswith("kafka_processing_duration_seconds_" + part):
                values[part] = values.get(part, 0.0) + float(line.rsplit(" ", 1)[1])
    return 1000 * values["sum"] / values["count"] if values.get("count") else float("nan")


def in_scratch(name, o, body):
    """Runs body(scratch) in a new scratch directory under o.dir, as every bench does:
    a BenchError is printed as `bench_NAME: ...` (exit code 1), the directory goes
    unless o.keep_data, and the load average at the end is printed. Returns the exit code."""
    scratch = tempfile.mkdtemp(prefix="sluice-bench-%s-" % name, dir=o.dir)
    try:
        body(scratch)
    except BenchError as e:
        print("bench_%s: %s" % (name, e), file=sys.stderr)
        return 1
    finally:
        if o.keep_data:
            print("kept %s" % scratch)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print("load average at end %.2f" % os.getloadavg()[0])
    return 0


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def run_contender(name, o, scratch, bootstrap, topics, broker):
    names = {k: "bench.%s.%s" % (name, k) for k in ("events", "downloads", "results")}
    for k in ("events", "results") + (("downloads",) if name == "sluice" else ()):
        topics.ensure(names[k], o.partitions)
    print("%s: starting ..." % name, flush=True)
    start = start_sluice if name == "sluice" else start_reference
    contender = start(o, scratch, bootstrap, names)
    manifest = os.path.join(scratch, "%s.manifest.jsonl" % name)
    source = None
    try:
        cpu_before = {c.name: c.cpu_seconds() for c in contender + [broker]}
        t0 = time.monotonic()
        source = Child("demo-source",
                       [o.sluice, "demo-source", "--bootstrap", bootstrap, "--topic", names["events"],
                        "--rate", str(o.rate), "--count", str(o.events), "--bad-share", "0",
                        "--seed", str(o.seed), "--http", "127.0.0.1:0", "--manifest", manifest],
                       os.path.join(scratch, "%s-demo-source.log" % name))
        source.wait_line(r"serving attachments on", 30)
        results_parts = topics.partitions(names["results"])
        expected = None
        done = 0
        last_progress = time.monotonic()
        next_print = time.monotonic() + 5
        while expected is None or done < expected:
            time.sleep(0.2)
            if expected is None:
                lines = open(manifest).read().splitlines() if os.path.exists(manifest) else []
                if len(lines) >= o.events:
                    expected = sum(len(json.loads(l)["attachments"]) for l in lines)
            now_done = topics.records(names["results"], results_parts)
            if now_done > done:
                last_progress = time.monotonic()
            done = now_done
            if time.monotonic() >= next_print:
                next_print += 5
                print("  %5.0fs  %d of %s results" % (time.monotonic() - t0, done,
                                                      expected if expected is not None else "?"),
                      flush=True)
            if time.monotonic() - last_progress > STALL_TIMEOUT_S:
                logs = "\n".join("%s (%s), log %s:\n%s" % (c.name, c.status(), c.log, tail(c.log))
                                 for c in contender + [source])
                raise BenchError("%s: %d of %s results and none for %.0f s\n%s"
                                 % (name, done, expected, STALL_TIMEOUT_S, logs))
        wall = time.monotonic() - t0
        cpu = {c.name: c.cpu_seconds() - cpu_before[c.name] for c in contender + [broker]}
        cpu["demo-source"] = source.cpu_seconds()
        processing = {c.name: mean_processing_ms(c.admin) for c in contender if hasattr(c, "admin")}
    finally:
        exits = {c.name: c.stop() for c in contender}
        if source is not None:
            exits["demo-source"] = source.stop()

    event_ts = {}
    for key, _value, ts in topics.read_all(names["events"]):
        event_ts[key.decode()] = ts
    latencies, tasks, duplicates, missing_objects = [], set(), 0, 0
    last_result = 0
    store = os.path.join(o.store_dir, "%s-store" % name)
    for _key, value, ts in topics.read_all(names["results"]):
        r = json.loads(value)
        if r["task_id"] in tasks:
            duplicates += 1
            continue
        tasks.add(r["task_id"])
        if r.get("status") != "stored" or not os.path.exists(os.path.join(store, r["object_key"])):
            missing_objects += 1
        latencies.append(ts - event_ts[r["claim_id"]])
        last_result = max(last_result, ts)
    if not o.keep_data:
        shutil.rmtree(store, ignore_errors=True)
    latencies.sort()
    span = (last_result - min(event_ts.values())) / 1000.0
    return {
        "name": name, "events": len(event_ts), "attachments": len(tasks), "expected": expected,
        "duplicates": duplicates, "missing_objects": missing_objects, "span": span, "wall": wall,
        "events_per_s": len(event_ts) / span, "attachments_per_s": len(tasks) / span,
        "p50": percentile(latencies, 0.50), "p99": percentile(latencies, 0.99),
        "max": latencies[-1] if latencies else float("nan"), "cpu": cpu, "exits": exits,
        "processing": processing,
    }


def describe(r):
    cpu = ", ".join("%s %.1f s" % (k, v) for k, v in r["cpu"].items())
    busy = sum(r["cpu"].values()) / r["wall"]
    out = ("  %.0f events/s, %.0f attachments/s (%d events, %d attachments in %.2f s; "
           "%.2f s wall from source start)\n"
           "  latency event -> result: p50 %.0f ms, p99 %.0f ms, max %.0f ms\n"
           "  CPU: %s (%.2f of the machine's %d cores busy on average)\n"
           "  stopped: %s\n"
           % (r["events_per_s"], r["attachments_per_s"], r["events"], r["attachments"], r["span"],
              r["wall"], r["p50"], r["p99"], r["max"], cpu, busy, os.cpu_count(),
              ", ".join("%s %s" % kv for kv in r["exits"].items())))
    if r["processing"]:
        out += "  mean processing time per record: %s\n" % ", ".join(
            "%s %.1f ms" % kv for kv in r["processing"].items())
    problems = []
    if r["attachments"] != r["expected"]:
        problems.append("%d of %d attachments have a result" % (r["attachments"], r["expected"]))
    if r["duplicates"]:
        problems.append("%d duplicate results" % r["duplicates"])
    if r["missing_objects"]:
        problems.append("%d results whose object is not in the store" % r["missing_objects"])
    if problems:
        out += "  note: " + "; ".join(problems) + "\n"
    return out


def main():
    ap = argparse.ArgumentParser(description="sluice vs a Python worker on the claim-attachment "
                                             "pipeline (events -> download -> results)")
    ap.add_argument("--events", type=int, default=5000, help="events per contender (default 5000)")
    ap.add_argument("--rate", type=float, default=1000000,
                    help="demo-source events/s (default 1e6: a burst, i.e. saturated)")
    ap.add_argument("--partitions", type=int, default=4, help="partitions per topic (default 4)")
    ap.add_argument("--broker-flush", default="always",
                    help="the broker's --flush: always (its default) or e.g. 1000ms")
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--reference-threads", type=int, default=8,
                    help="the reference's download thread pool (default 8)")
    ap.add_argument("--contenders", default="sluice,reference",
                    help="which to run, in order (default sluice,reference)")
    ap.add_argument("--sluice", default=os.environ.get("SLUICE_BIN")
                    or os.path.join(REPO_ROOT, "build", "sluice"))
    ap.add_argument("--dir", default="/tmp", help="where the scratch directory goes")
    ap.add_argument("--store-dir", default=None,
                    help="where the contenders' object stores go (default: the scratch "
                         "directory; e.g. /dev/shm to take the disk out)")
    ap.add_argument("--keep-data", action="store_true")
    o = ap.parse_args()
    contenders = [c for c in o.contenders.split(",") if c]
    if not contenders or any(c not in ("sluice", "reference") for c in contenders):
        ap.error("--contenders takes sluice and/or reference")

    load_start = os.getloadavg()[0]
    scratch = tempfile.mkdtemp(prefix="sluice-bench-pipeline-", dir=o.dir)
    if o.store_dir is None:
        o.store_dir = scratch
    else:
        o.store_dir = tempfile.mkdtemp(prefix="sluice-bench-pipeline-", dir=o.store_dir)
    broker = None
    try:
        broker = Child("broker", [o.sluice, "broker", "--data-dir", os.path.join(scratch, "broker"),
                                  "--listen", "127.0.0.1:0", "--default-partitions",
                                  str(o.partitions), "--flush", o.broker_flush],
                       os.path.join(scratch, "broker.log"))
        port = broker.wait_line(r"listening on 127\.0\.0\.1:(\d+)", 30).group(1)
        bootstrap = "127.0.0.1:" + port
        print("%s\nscratch %s, stores under %s; %d events per contender, demo-source --rate %g "
              "--seed %d" % (broker.lines[0], scratch, o.store_dir, o.events, o.rate, o.seed),
              flush=True)
        topics = Topics(bootstrap)
        results = [run_contender(c, o, scratch, bootstrap, topics, broker) for c in contenders]
    except BenchError as e:
        print("bench_pipeline: %s" % e, file=sys.stderr)
        return 1
    finally:
        if broker is not None:
            print("broker: %s" % broker.stop(), flush=True)
        if o.keep_data:
            print("kept %s" % scratch)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
            shutil.rmtree(o.store_dir, ignore_errors=True)

    print("\n==== bench_pipeline: %d events, %d partitions, broker --flush %s, stores in %s, "
          "%d cores ====" % (o.events, o.partitions, o.broker_flush, os.path.dirname(o.store_dir)
                             if o.store_dir != scratch else o.dir, os.cpu_count()))
    print("load average at start %.2f, at end %.2f" % (load_start, os.getloadavg()[0]))
    labels = {"sluice": "sluice run --stage ingest + --stage download (examples/claims-attachments)",
              "reference": "Python reference (reference.py, %d download threads)"
                           % o.reference_threads}
    by_name = {}
    for r in results:
        by_name[r["name"]] = r
        print("%s:\n%s" % (labels[r["name"]], describe(r)), end="")
    if len(by_name) == 2:
        print("ratio sluice/reference: %.1fx events/s (target >= 20x)"
              % (by_name["sluice"]["events_per_s"] / by_name["reference"]["events_per_s"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
