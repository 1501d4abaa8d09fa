#!/usr/bin/env python3
"""bench/ticks: seed 003's market-ticks pipeline (examples/market-ticks: `check` —
one chain of avro-decode, validate, sequence-check and quarantine-route — and the
ticks table, one `sluice run --stage` process each) on
the built-in broker, with the ticks in Avro through `sluice registry`, as `sluice up
examples/market-ticks` runs it. Prints figures;
asserts nothing (docs/performance.md has the measured ones). Issue 19's goals: at
least 100,000 ticks/s end to end on this 2-core machine, and p99 under 500 ms from a
tick's append to its row being queryable at half that rate (the seed budgets 10,000
ticks/s and 500 ms p99).

Phases (--phases, default both), each on a broker of its own:
  throughput  N ticks (`sluice demo-source --kind ticks`, its default bad mix:
              rejects, gaps, duplicates, disorder, resets, out-of-hours; the
              sequence-check step's halt_gap raised so that no symbol is halted
              and parked for the rest of the run) produced
              first, then the two stages read the backlog. ticks/s = N / (end -
              start): start = the first stage's partition assignment, end = the
              table's last commit (its Delta log file's mtime). CPU-seconds per
              million ticks and peak RSS (VmHWM) per stage, from /proc. The
              sink flushes every --flush-interval, as in the latency phase: one
              configuration for both goals (with the example's 2 s the last
              partial file waits up to 2 s, which a finite backlog counts).
  latency     the stages started first, then ticks produced live at
              --latency-rate (default: half the throughput phase's ticks/s) for
              --latency-seconds into an input topic stamped LogAppendTime, the table
              sink flushing every --flush-interval (200ms; the example's 2s keeps
              files larger where freshness matters less): a tick's
              latency = the mtime of the Delta commit that holds its row minus the
              broker's append time. `sluice serve` answers from the table's latest
              commit, so that is when the row is queryable. p50/p99/max over every
              row whose message id ends in 0 (a tenth, read with DuckDB).
              The source lingers --source-linger-ms (50) as a feed handler
              batches; that wait is before the append, so outside the figure.
              With librdkafka's 5 ms over 100 partitions the broker takes
              batches of two or three ticks, each appended and synced alone.

Usage: build/bench/bench_ticks [--ticks N] [--phases throughput,latency] ...
Needs tests/lake's node modules (DuckDB) for the latency phase.
"""

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
EXAMPLE = os.path.join(REPO_ROOT, "examples", "market-ticks")
STAGES = ("check", "ticks")
INPUT = "market.ticks.asx"
CLEAN = INPUT + ".clean"  # check's output, the ticks stage's input
TABLE = os.path.join("data", "lake", "tables", "ticks")

# The process, topic and /proc helpers of bench/iot (and through it bench/pipeline).
_spec = importlib.util.spec_from_file_location("bench_iot_run", os.path.join(HERE, "..", "iot", "run.py"))
_iot = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_iot)
Child, Topics, BenchError, tail, percentile = _iot.Child, _iot.Topics, _iot.BenchError, _iot.tail, _iot.percentile
proc_mib, duckdb = _iot.proc_mib, _iot.duckdb
in_scratch = _iot.in_scratch
from confluent_kafka import Consumer, TopicPartition  # noqa: E402  (made importable by bench/pipeline)


class Phase:
    """One broker, one copy of the example pipeline, its four stage processes."""

    def __init__(self, o, scratch, name):
        self.o, self.name = o, name
        self.work = os.path.join(scratch, name)
        os.makedirs(self.work)
        for f in ("pipeline.yaml", "market-tick.schema.json", "market-tick.avsc"):
            shutil.copy(os.path.join(EXAMPLE, f), self.work)
        self.broker = Child("broker", [o.sluice, "broker", "--data-dir", os.path.join(self.work, "broker"),
                                       "--listen", "127.0.0.1:0", "--default-partitions", "4",
                                       "--group-initial-rebalance-delay-ms", "0"],
                            os.path.join(self.work, "broker.log"))
        self.bootstrap = "127.0.0.1:" + self.broker.wait_line(r"listening on 127\.0\.0\.1:(\d+)", 30).group(1)
        self.topics = Topics(self.bootstrap)
        self.stages = {}
        self.registry, self.registry_url = self.start_registry()
        # The seed's 100 partitions for the input, and for check's output the 4 that `sluice up`'s
        # broker gives a topic it creates; both stamped by the broker, so a tick's append time is
        # its timestamp on each (the latency phase's two hops).
        for topic, partitions in ((INPUT, 100), (CLEAN, 4)):
            out = subprocess.run([o.sluice, "topics", "create", topic, "--partitions", str(partitions), "--config",
                                  "message.timestamp.type=LogAppendTime", "--bootstrap", self.bootstrap],
                                 capture_output=True, text=True, timeout=60)
            if out.returncode != 0:
                raise BenchError("could not create %s: %s" % (topic, out.stderr[-1000:]))
            self.topics.ensure(topic, partitions)

    def start_registry(self):
        """`sluice registry` with the example's tick schema registered, as `sluice up` does."""
        child = Child("registry", [self.o.sluice, "registry", "--bootstrap", self.bootstrap, "--listen",
                                   "127.0.0.1:0"], os.path.join(self.work, "registry.log"))
        url = "http://127.0.0.1:" + child.wait_line(r"listening on http://127\.0\.0\.1:(\d+)", 30).group(1)
        with open(os.path.join(self.work, "market-tick.avsc")) as f:
            schema = f.read()
        for method, path, body in (("PUT", "/config/%s-value" % INPUT, {"compatibility": "BACKWARD"}),
                                   ("POST", "/subjects/%s-value/versions" % INPUT, {"schema": schema})):
            req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method=method,
                                         headers={"Content-Type": "application/vnd.schemaregistry.v1+json"})
            urllib.request.urlopen(req, timeout=30).read()
        return child, url

    def produce(self, count, rate):
        out = subprocess.run([self.o.sluice, "demo-source", "--kind", "ticks", "--bootstrap", self.bootstrap,
                              "--registry", self.registry_url,
                              "--topic", INPUT, "--count", str(count), "--rate", str(rate),
                              "--symbols", str(self.o.symbols), "--seed", str(self.o.seed),
                              # One trading day, as a real feed has: the example's 2,000-tick
                              # sessions would spread a million ticks over 500 days, so 500
                              # table partitions and as many files per commit.
                              "--session-ticks", str(max(count, 1)), "--session-date", "2026-12-07",
                              "--linger-ms", str(self.o.source_linger_ms),
                              "--exit-when-done"],
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise BenchError("demo-source failed: %s" % out.stderr[-2000:])

    def start_stages(self, flush_interval=None):
        env = dict(os.environ, SLUICE_BOOTSTRAP=self.bootstrap, SLUICE_SCHEMA_REGISTRY=self.registry_url)
        # A gap over halt_gap halts its symbol until an operator resumes it: in a run of a
        # million ticks every symbol would soon be halted and its ticks parked, leaving the
        # route and the table idle. Large gaps are still quarantined (large_gap), they just do
        # not halt. A chain step's option has no environment override: the copy is edited.
        pipeline = os.path.join(self.work, "pipeline.yaml")
        with open(pipeline) as f:
            text = f.read()
        if "halt_gap: 100\n" not in text:
            raise BenchError("examples/market-ticks/pipeline.yaml has no `halt_gap: 100` to raise")
        with open(pipeline, "w") as f:
            f.write(text.replace("halt_gap: 100\n", "halt_gap: 1000000000\n"))
        if flush_interval:  # the table sink's; the example's 2 s favours fewer, larger files
            env["SLUICE_STAGE_TICKS_OPTIONS_FLUSH_INTERVAL_MS"] = flush_interval
        for s in STAGES:
            self.stages[s] = Child("sluice " + s, [self.o.sluice, "run", pipeline, "--stage", s, "--admin",
                                                   "127.0.0.1:0"], os.path.join(self.work, s + ".log"), env=env)
        for c in self.stages.values():
            c.wait_line(r"admin on http://", 30)

    def caught_up(self):
        """Every stage's group has committed its input to the end."""
        inputs = {"check": INPUT, "ticks": CLEAN}
        for stage, topic in inputs.items():
            c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": "market-ticks." + stage,
                          "enable.auto.commit": False})
            try:
                parts = [TopicPartition(topic, p) for p in self.topics.partitions(topic)]
                committed = {tp.partition: tp.offset for tp in c.committed(parts, timeout=10)}
                for tp in parts:
                    end = c.get_watermark_offsets(tp, timeout=10)[1]
                    if end > 0 and committed.get(tp.partition, -1) < end:
                        return False
            except Exception:  # noqa: BLE001 - a topic not created yet: not caught up
                return False
            finally:
                c.close()
        return True

    def wait_caught_up(self):
        deadline = time.monotonic() + self.o.timeout
        streak = 0
        while time.monotonic() < deadline:
            for c in self.stages.values():
                if c.proc.poll() is not None:
                    raise BenchError("%s %s:\n%s" % (c.name, c.status(), tail(c.log)))
            streak = streak + 1 if self.caught_up() else 0
            if streak >= 3:
                return
            time.sleep(0.5)
        raise BenchError("the pipeline did not catch up within %d s" % self.o.timeout)

    def start_time(self):
        """The first partition assignment among the stages (seconds since the epoch)."""
        return _iot.Run.sluice_start_time(self.work, STAGES)

    def commits(self):
        """[(mtime, [data files])] of the ticks table's commits."""
        return _iot.delta_commits_of(os.path.join(self.work, TABLE))

    def table_rows(self):
        out = subprocess.run([self.o.sluice, "table", "describe", os.path.join(self.work, "data", "lake"),
                              "tables/ticks", "--json"], capture_output=True, text=True, timeout=120)
        return json.loads(out.stdout)["records"] if out.returncode == 0 else -1

    def usage(self):
        return ({s: c.cpu_seconds() for s, c in self.stages.items()},
                {s: proc_mib(c.proc.pid, "VmHWM") for s, c in self.stages.items()})

    def close(self):
        self.topics.consumer.close()  # before the broker goes: no reconnect noise
        self.topics.producer = None
        for c in list(self.stages.values()) + [self.registry, self.broker]:
            c.stop()


def by_stage(values, fmt):
    return "  ".join(("%s " + fmt) % (s, values[s]) for s in STAGES)


def phase_throughput(o, scratch):
    p = Phase(o, scratch, "throughput")
    try:
        t0 = time.monotonic()
        p.produce(o.ticks, 1e9)
        print("throughput: %d ticks of %d symbols produced in %.1f s" % (o.ticks, o.symbols, time.monotonic() - t0),
              flush=True)
        broker_cpu0 = _iot.proc_cpu(p.broker.proc.pid)
        p.start_stages(o.flush_interval)
        p.wait_caught_up()
        cpu, rss = p.usage()
        broker_cpu = _iot.proc_cpu(p.broker.proc.pid) - broker_cpu0
        commits = p.commits()
        seconds = max(m for m, _ in commits) - p.start_time()
        rate = o.ticks / seconds
        print("  table flush interval %s (as in the latency phase)" % o.flush_interval)
        print("  %9.0f ticks/s end to end (%.2f s)  CPU %.1f s = %.2f CPU-s per million ticks  peak RSS %.0f MiB"
              % (rate, seconds, sum(cpu.values()), sum(cpu.values()) / o.ticks * 1e6, sum(rss.values())))
        print("  table rows %d (the rest quarantined, rejected or dropped as duplicates)" % p.table_rows())
        print("  CPU s by stage:  " + by_stage(cpu, "%.1f") +
              "  (and the broker %.1f: %.2f CPU-s per million ticks with it)"
              % (broker_cpu, (sum(cpu.values()) + broker_cpu) / o.ticks * 1e6))
        print("  RSS MiB by stage: " + by_stage(rss, "%.0f"))
        print("  vs goal 100,000 ticks/s: %.2fx; vs the seed's 10,000/s: %.1fx" % (rate / 1e5, rate / 1e4),
              flush=True)
        return rate
    finally:
        p.close()


def avro_message_id(value):
    """The message_id of an Avro tick (Confluent's 5-byte header, then the fields of
    examples/market-ticks/market-tick.avsc in order); None for bytes that are not one."""
    pos = 5

    def varint():
        nonlocal pos
        shift = result = 0
        while True:
            b = value[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return (result >> 1) ^ -(result & 1)  # zigzag
            shift += 7

    def text():
        nonlocal pos
        n = varint()
        pos += n
        return value[pos - n:pos].decode()

    if value[:1] != b"\0" or len(value) < 6:
        return None
    try:
        text(), text(), varint(), varint()  # exchange, symbol, sequence, exchange_timestamp
        pos += 8  # price (double)
        varint()  # volume
        return text()
    except (IndexError, UnicodeDecodeError):
        return None


def append_times(p, topic=INPUT, message_id=avro_message_id):
    """{message_id: broker append time (s)} of the ticks of `topic` whose message id ends in 0."""
    out = {}
    for _, value, ts_ms in p.topics.read_all(topic):
        mid = message_id(value)
        if mid and mid.endswith("0"):
            out[mid] = ts_ms / 1000.0
    return out


def json_message_id(value):
    """The message_id of a decoded tick (check writes JSON); None for any other value."""
    try:
        return json.loads(value).get("message_id")
    except (ValueError, AttributeError, TypeError):
        return None


def phase_latency(o, scratch, rate):
    p = Phase(o, scratch, "latency")
    try:
        p.start_stages(o.flush_interval)
        time.sleep(3)  # partitions assigned before the first tick
        count = int(rate * o.latency_seconds)
        p.produce(count, rate)
        p.wait_caught_up()
        appended = append_times(p)
        visible = {}
        for mtime, files in p.commits():
            for i in range(0, len(files), 200):
                chunk = files[i:i + 200]
                rows = duckdb("SELECT filename AS f, message_id AS m FROM read_parquet([%s], filename=true) "
                              "WHERE message_id LIKE '%%0'" % ", ".join("'%s'" % f for f in chunk))
                for r in rows:
                    visible.setdefault(r["m"], mtime)
        pairs = sorted((appended[m], visible[m] - appended[m]) for m in visible if m in appended)
        checked = append_times(p, CLEAN, json_message_id)
        hops = {"append -> check's output appended": [checked[m] - appended[m] for m in visible
                                                      if m in appended and m in checked],
                "check's output appended -> queryable": [visible[m] - checked[m] for m in visible
                                                         if m in checked]}
        with open(os.path.join(p.work, "latencies.json"), "w") as f:  # [append time, latency] per sampled tick
            json.dump(pairs, f)
        lat = sorted(l for _, l in pairs)
        print("latency: %d ticks/s live for %g s (%d ticks), source linger %d ms, table flush interval %s; "
              "%d sampled rows, append -> queryable:"
              % (rate, o.latency_seconds, count, o.source_linger_ms, o.flush_interval, len(lat)))
        print("  p50 %.3f s  p99 %.3f s  max %.3f s   (goal p99 < 0.500 s: %s)"
              % (percentile(lat, 0.5), percentile(lat, 0.99), lat[-1] if lat else float("nan"),
                 "met" if lat and percentile(lat, 0.99) < 0.5 else "not met"), flush=True)
        for hop, values in hops.items():  # where the time goes: the check stage, then the table sink
            values.sort()
            if values:
                print("    %-38s p50 %.3f s  p99 %.3f s" % (hop, percentile(values, 0.5), percentile(values, 0.99)))
    finally:
        p.close()


def main():
    ap = argparse.ArgumentParser(description="seed 003's market-ticks pipeline: ticks/s and append-to-queryable p99")
    ap.add_argument("--ticks", type=int, default=1000000, help="ticks of the throughput phase")
    ap.add_argument("--symbols", type=int, default=40)
    ap.add_argument("--latency-rate", type=float, default=0,
                    help="ticks/s of the latency phase (default: half the throughput phase's)")
    ap.add_argument("--latency-seconds", type=float, default=20)
    ap.add_argument("--flush-interval", default="200ms",
                    help="the table sink's flush_interval_ms in both phases (the example has 2s)")
    ap.add_argument("--phases", default="throughput,latency")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--source-linger-ms", type=int, default=50,
                    help="the tick source's linger.ms: a feed handler batches before it sends; latency "
                         "is counted from the broker's append, after it")
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--sluice", default=os.environ.get("SLUICE_BIN") or os.path.join(REPO_ROOT, "build", "sluice"))
    ap.add_argument("--dir", default="/tmp")
    ap.add_argument("--keep-data", action="store_true")
    o = ap.parse_args()
    phases = o.phases.split(",")
    if "latency" in phases and "throughput" not in phases and not o.latency_rate:
        ap.error("--latency-rate is needed without the throughput phase")

    def run(scratch):
        print("==== bench_ticks: %d cores, load average %.2f, scratch %s ====" % (os.cpu_count(), os.getloadavg()[0],
                                                                                scratch), flush=True)
        rate = phase_throughput(o, scratch) if "throughput" in phases else 0
        if "latency" in phases:
            phase_latency(o, scratch, o.latency_rate or round(rate / 2))

    return in_scratch("ticks", o, run)


if __name__ == "__main__":
    sys.exit(main())
