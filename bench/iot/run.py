#!/usr/bin/env python3
"""bench/iot: the seed 004 IoT job run by sluice (tests/lake/spark/iot-pipeline.yaml:
validate + window-aggregate + table-sink, one `sluice run --stage` process each) and
by Apache Spark 4 Structured Streaming (tests/lake/spark/iot_job.py, local[2], its
own Kafka source), side by side in one run, on the same events in the same
built-in broker. Prints figures and ratios; asserts nothing (docs/performance.md).

Phases (--phases, default all):
  throughput  N events (`sluice demo-source --kind iot`, the default bad/late mix)
              produced first, then each contender reads the backlog. events/s =
              N / (end - start): start = the first stage's partition assignment
              (sluice) or the first micro-batch's start (Spark); end = the last
              commit of the output table (the Delta log's last file; Spark's last
              batch end). CPU-seconds per million events from /proc (sluice: the
              three stage processes; Spark: the JVM from its session's creation on,
              JIT and query planning included), peak RSS = VmHWM (sluice: the sum of
              the three processes).
  latency     events produced live (event time = wall clock: --event-interval
              1000/rate ms, so --latency-rate divides 1000) at --latency-rate for
              --latency-seconds, 10 s windows with 5 s lateness (so a minute gives
              many windows; the seed's 1 min/2 min would give three). A window closes
              when the first valid record at or past its end + lateness is appended
              (its Kafka timestamp); a row is visible when the table commit holding
              it exists (Delta log file; Spark's _spark_metadata batch file), by
              mtime. p50/p99 over rows. Spark runs with trigger 0 (as fast as it
              can), its best case; the seed used 30 s.
  hopping     the throughput events again, 1-hour windows sliding by each of
              --slides, both contenders (a new consumer group each).
  rss         sluice's window stage alone on --rss-devices devices (--rss-partitions
              partitions), 3 events per
              device inside one 1-hour window (all open at the end): its RSS.

Usage: build/bench/bench_iot [--events N] [--phases throughput,latency] ...
Needs scripts/install-spark.sh (run by scripts/install-deps.sh) and tests/lake's
node modules (DuckDB) for the latency phase.
"""

import argparse
import datetime
import glob
import importlib.util
import json
import os
import re
import subprocess
import sys
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
PIPELINE = os.path.join(REPO_ROOT, "tests", "lake", "spark", "iot-pipeline.yaml")
SPARK_PYTHON = os.path.join(REPO_ROOT, ".cache", "spark", "venv", "bin", "python")
SPARK_SIDE = os.path.join(HERE, "spark_side.py")
DUCKDB_QUERY = os.path.join(REPO_ROOT, "tests", "lake", "duckdb_query.mjs")
TABLE = "tables/device_minutes"
# sluice's ways of running the job (--contenders): the two steps in their own stages,
# with the validated events on a topic between them, or fused into one stage (a
# `chain` processor) with nothing between them; the table sink is a stage either way.
SLUICE_VARIANTS = {"sluice": ("validate", "windows", "sink"), "fused": ("validate-windows", "sink")}

# The process helpers of bench/pipeline (a child with its stdout lines, topics, errors).
_spec = importlib.util.spec_from_file_location("bench_pipeline_run", os.path.join(HERE, "..", "pipeline", "run.py"))
_pipeline = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_pipeline)
Child, Topics, BenchError, tail, percentile = (_pipeline.Child, _pipeline.Topics, _pipeline.BenchError,
                                               _pipeline.tail, _pipeline.percentile)
in_scratch = _pipeline.in_scratch
from confluent_kafka import Consumer, TopicPartition  # noqa: E402  (made importable by bench/pipeline)

CLK_TCK = os.sysconf("SC_CLK_TCK")
ASSIGNED_RE = re.compile(r"^(\S+Z) .*assigned \d+ partition")


def proc_cpu(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return 0.0


def proc_mib(pid, field):
    """VmHWM (peak RSS) or VmRSS of a process, in MiB."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def iso_ms(text):
    """Milliseconds since the epoch of an ISO-8601 time (no offset: UTC)."""
    t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=datetime.timezone.utc)
    return int(t.timestamp() * 1000)


def duckdb(sql):
    out = subprocess.run(["node", DUCKDB_QUERY, sql], cwd=os.path.dirname(DUCKDB_QUERY), capture_output=True,
                         text=True, timeout=300)
    if out.returncode != 0:
        raise BenchError("duckdb failed: %s" % out.stderr[-2000:])
    return json.loads(out.stdout)


def window_ends_per_file(files):
    """{file: [(window_end ms, rows)]} of Parquet files, read by DuckDB."""
    out = {}
    for i in range(0, len(files), 200):
        chunk = files[i:i + 200]
        rows = duckdb("SELECT filename AS f, epoch_ms(window_end) AS we, count(*) AS n FROM read_parquet([%s], "
                      "filename=true) GROUP BY ALL" % ", ".join("'%s'" % f for f in chunk))
        for r in rows:
            out.setdefault(r["f"], []).append((int(r["we"]), int(r["n"])))
    return out


def delta_commits_of(table):
    """[(mtime, [data file paths])] of a Delta table's commits, from its log files."""
    out = []
    for path in sorted(glob.glob(os.path.join(table, "_delta_log", "*.json"))):
        with open(path) as f:
            files = [os.path.join(table, a["add"]["path"]) for a in map(json.loads, f) if "add" in a]
        out.append((os.stat(path).st_mtime, files))
    return out


class Run:
    """One bench run: the broker, the scratch directory and the options."""

    def __init__(self, o, scratch, broker, bootstrap):
        self.o, self.scratch, self.broker, self.bootstrap = o, scratch, broker, bootstrap
        self.topics = Topics(bootstrap)

    def create_topic(self, topic, partitions):
        out = subprocess.run([self.o.sluice, "topics", "create", topic, "--partitions", str(partitions),
                              "--bootstrap", self.bootstrap], capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise BenchError("could not create topic %s: %s" % (topic, out.stderr[-1000:]))
        self.topics.ensure(topic, partitions)

    def demo_source(self, topic, count, devices, rate, extra=(), manifest=None):
        argv = [self.o.sluice, "demo-source", "--kind", "iot", "--bootstrap", self.bootstrap, "--topic", topic,
                "--count", str(count), "--rate", str(rate), "--devices", str(devices), "--seed", str(self.o.seed),
                "--exit-when-done", *extra]
        if manifest:
            argv += ["--manifest", manifest]
        out = subprocess.run(argv, capture_output=True, text=True)
        if out.returncode != 0:
            raise BenchError("demo-source failed: %s" % out.stderr[-2000:])

    def committed_to_end(self, group, topic):
        parts = self.topics.partitions(topic)
        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": group, "enable.auto.commit": False})
        try:
            committed = {tp.partition: tp.offset for tp in c.committed([TopicPartition(topic, p) for p in parts],
                                                                       timeout=10)}
            for p in parts:
                end = c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
                if end > 0 and committed.get(p, -1) < end:
                    return False
            return True
        finally:
            c.close()

    # ---- sluice ------------------------------------------------------------------------

    def start_sluice(self, name, stages, topics, options=None):
        """`sluice run PIPELINE --stage S` per stage; pipeline name `name` (own groups),
        topics {events, valid, aggregates}, window options overridden by `options`."""
        work = os.path.join(self.scratch, name)
        os.makedirs(work, exist_ok=True)
        env = dict(os.environ, SLUICE_BOOTSTRAP=self.bootstrap, SLUICE_PIPELINE=name,
                   SLUICE_STAGE_VALIDATE_INPUT=topics["events"], SLUICE_STAGE_VALIDATE_OUTPUTS=topics["valid"],
                   SLUICE_STAGE_WINDOWS_INPUT=topics.get("windows_input", topics["valid"]),
                   SLUICE_STAGE_WINDOWS_OUTPUTS=topics["aggregates"], SLUICE_STAGE_SINK_INPUT=topics["aggregates"],
                   SLUICE_STAGE_WINDOWS_STATE_STORE=os.path.join(work, "state"),
                   SLUICE_STAGE_VALIDATE_WINDOWS_INPUT=topics["events"],
                   SLUICE_STAGE_VALIDATE_WINDOWS_OUTPUTS=topics["aggregates"],
                   SLUICE_STAGE_VALIDATE_WINDOWS_STATE_STORE=os.path.join(work, "state"),
                   SLUICE_STAGE_SINK_OPTIONS_STORE=os.path.join(work, "lake"))
        for k, v in (options or {}).items():
            env["SLUICE_STAGE_WINDOWS_OPTIONS_" + k.upper()] = v
        pipeline = fused_pipeline(work, options) if "validate-windows" in stages and options else PIPELINE
        children = {}
        for s in stages:
            children[s] = Child("sluice " + s, [self.o.sluice, "run", pipeline, "--stage", s, "--admin",
                                                "127.0.0.1:0"], os.path.join(work, s + ".log"), env=env)
        for c in children.values():
            c.wait_line(r"admin on http://", 30)
        return work, children

    def wait_sluice_done(self, name, stages, topics, timeout, children):
        inputs = {"validate": topics["events"], "validate-windows": topics["events"],
                  "windows": topics.get("windows_input", topics["valid"]),
                  "sink": topics["aggregates"]}
        deadline = time.monotonic() + timeout
        streak = 0
        while time.monotonic() < deadline:
            for c in children.values():  # e.g. a state over the checkpoint limit: it would never catch up
                errors = [x for x in tail(c.log, 20).splitlines() if " ERROR " in x]
                if errors:
                    raise BenchError("%s: %s" % (c.name, errors[-1]))
            done = all(self.committed_to_end("%s.%s" % (name, s), inputs[s]) for s in stages)
            streak = streak + 1 if done else 0
            if streak >= 3:
                return
            time.sleep(0.5)
        raise BenchError("sluice %s did not catch up within %d s" % (name, timeout))

    @staticmethod
    def sluice_start_time(work, stages):
        """The first partition assignment among the stages (seconds since the epoch)."""
        times = []
        for s in stages:
            with open(os.path.join(work, s + ".log"), errors="replace") as f:
                for line in f:
                    m = ASSIGNED_RE.match(line)
                    if m:
                        times.append(iso_ms(m.group(1)) / 1000.0)
                        break
        if not times:
            raise BenchError("no stage of %s logged a partition assignment" % work)
        return min(times)

    @staticmethod
    def delta_commits(work):
        """[(mtime, [data file paths])] of the table's commits."""
        return delta_commits_of(os.path.join(work, "lake", TABLE))

    def run_sluice_backlog(self, name, topics, options=None, stages=("validate", "windows", "sink")):
        # Each variant its own topics after the input, so one's rows never reach another's table
        # (and each round of a --repeat: a new name, new topics).
        topics = dict(topics, valid=topics["valid"] + "." + name, aggregates=topics["aggregates"] + "." + name)
        for topic in (topics["valid"], topics["aggregates"]):
            self.create_topic(topic, self.o.partitions)
        broker_cpu = proc_cpu(self.broker.proc.pid)
        work, children = self.start_sluice(name, stages, topics, options)
        try:
            self.wait_sluice_done(name, stages, topics, self.o.timeout, children)
            cpu_by_stage = {s: c.cpu_seconds() for s, c in children.items()}
            cpu = sum(cpu_by_stage.values())
            hwm = {s: proc_mib(c.proc.pid, "VmHWM") for s, c in children.items()}
        finally:
            for c in children.values():
                c.stop()
        commits = self.delta_commits(work)
        start = self.sluice_start_time(work, stages)
        end = max(m for m, _ in commits) if commits else time.time()
        return {"seconds": end - start, "cpu": cpu, "rss": sum(hwm.values()), "rss_by_stage": hwm,
                "cpu_by_stage": cpu_by_stage, "broker_cpu": proc_cpu(self.broker.proc.pid) - broker_cpu}

    # ---- Spark -------------------------------------------------------------------------

    def start_spark(self, name, topic, window_args, trigger="available-now", memory="2g"):
        work = os.path.join(self.scratch, name)
        os.makedirs(work, exist_ok=True)
        argv = [SPARK_PYTHON, SPARK_SIDE, "--bootstrap", self.bootstrap, "--topic", topic,
                "--out", os.path.join(work, "out"), "--checkpoint", os.path.join(work, "checkpoint"),
                "--max-offsets-per-trigger", str(self.o.spark_max_offsets), "--trigger", trigger,
                "--memory", memory, *window_args]
        child = Child("spark", argv, os.path.join(work, "spark.log"))
        jvm = int(json.loads(child.wait_line(r'^\{"jvm"', 120).string)["jvm"])
        return work, child, jvm, proc_cpu(jvm)

    @staticmethod
    def spark_messages(child, key):
        return [json.loads(line)[key] for line in list(child.lines) if line.startswith('{"%s"' % key)]

    def run_spark_backlog(self, name, topic, window_args=()):
        broker_cpu = proc_cpu(self.broker.proc.pid)
        work, child, jvm, cpu0 = self.start_spark(name, topic, list(window_args))
        try:
            child.wait_line(r'^\{"done"', self.o.timeout)
            cpu = proc_cpu(jvm) - cpu0
            hwm = proc_mib(jvm, "VmHWM") + proc_mib(child.proc.pid, "VmHWM")
        finally:
            child.stop(timeout=60)
        batches = self.spark_messages(child, "progress")
        starts = [iso_ms(b["timestamp"]) / 1000.0 for b in batches]
        ends = [s + b["durationMs"].get("triggerExecution", 0) / 1000.0 for s, b in zip(starts, batches)]
        return {"seconds": max(ends) - min(starts), "cpu": cpu, "rss": hwm, "batches": len(batches),
                "broker_cpu": proc_cpu(self.broker.proc.pid) - broker_cpu}


def topics_for(name):
    return {"events": name + ".events", "valid": name + ".valid", "aggregates": name + ".aggregates"}


def line(label, r, events):
    return ("  %-7s %9.0f events/s  (%6.2f s)  CPU %6.1f s = %6.2f CPU-s per million events  peak RSS %7.1f MiB"
            "  broker CPU %5.1f s" % (label, events / r["seconds"], r["seconds"], r["cpu"], r["cpu"] / events * 1e6,
                                      r["rss"], r["broker_cpu"]))


def by_stage(s):
    """sluice's CPU and peak RSS per stage process."""
    return "          by stage: " + ", ".join("%s %.1f CPU-s %.0f MiB" % (name, s["cpu_by_stage"][name], s["rss_by_stage"][name])
                                              for name in s["cpu_by_stage"])


def fused_pipeline(work, options):
    """The pipeline file with `options` in the fused stage's window step (environment
    variables reach only a stage's own options, not a step's), written into `work`."""
    with open(PIPELINE) as f:
        config = yaml.safe_load(f)
    stage = next(s for s in config["stages"] if s["name"] == "validate-windows")
    validate, windows = (step["options"] for step in stage["options"]["steps"])
    validate["schema"] = os.path.normpath(os.path.join(os.path.dirname(PIPELINE), validate["schema"]))
    windows.update(options)
    path = os.path.join(work, "pipeline.yaml")
    with open(path, "w") as f:
        yaml.safe_dump(config, f)
    return path


def contest(o, sluice, spark, events, spark_note=lambda k: ""):
    """Runs the contenders o.contenders names: sluice's variants (sluice(stages, round)
    for each, SLUICE_VARIANTS) and Spark (spark(round)), --repeat rounds of all of
    them in turn, so a machine that drifts (a shared VM) drifts for every contender;
    prints each contender's median run (by CPU) with the spread, and the ratios of
    the medians to Spark's."""
    names = [v for v in SLUICE_VARIANTS if v in o.contenders] + (["spark"] if "spark" in o.contenders else [])
    runs = {name: [] for name in names}
    for r in range(o.repeat):
        for name in names:
            runs[name].append(spark(r) if name == "spark" else sluice(SLUICE_VARIANTS[name], r))
    medians = {name: median_run(rs) for name, rs in runs.items()}
    for name in names:
        m = medians[name]
        label = "Spark" if name == "spark" else name
        print(line(label, m, events) + (spark_note(m) if name == "spark" else ""), flush=True)
        if name != "spark":
            print(by_stage(m), flush=True)
        if o.repeat > 1:
            print(spread(runs[name], events), flush=True)
    if "spark" in medians:
        for name in names[:-1]:
            print(ratios(name, medians[name], medians["spark"], events), flush=True)


def median_run(rs):
    """The run with the median CPU time (the lower middle one of an even count)."""
    return sorted(rs, key=lambda x: x["cpu"])[(len(rs) - 1) // 2]


def spread(rs, events):
    cpu = sorted(x["cpu"] * 1e6 / events for x in rs)
    rss = sorted(x["rss"] for x in rs)
    return ("          %d runs: %s CPU-s per million events, peak RSS %s MiB"
            % (len(rs), " / ".join("%.2f" % c for c in cpu), " / ".join("%.0f" % m for m in rss)))


def ratios(variant, s, k, events):
    per_core_note = "both had the machine's %d cores" % os.cpu_count()
    return ("  ratio %s/Spark: %.1fx events/s (%s), %.1fx less CPU per event, %.1fx less peak RSS"
            % (variant, (events / s["seconds"]) / (events / k["seconds"]), per_core_note,
               k["cpu"] / max(s["cpu"], 1e-9), k["rss"] / max(s["rss"], 1e-9)))


def phase_throughput(run, o):
    t = topics_for("tp")
    for topic in t.values():
        run.create_topic(topic, o.partitions)
    start = datetime.datetime(2026, 12, 6, tzinfo=datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    t0 = time.monotonic()
    run.demo_source(t["events"], o.events, o.devices, 1e7, ["--start-time", start, "--event-interval",
                                                            o.event_interval])
    print("throughput: %d events (%d devices, %s of event time apart) produced in %.1f s"
          % (o.events, o.devices, o.event_interval, time.monotonic() - t0), flush=True)
    contest(o, lambda stages, r: run.run_sluice_backlog("bench-tp-%s-%d" % (stages[0], r), t, stages=stages),
            lambda r: run.run_spark_backlog("spark-tp-%d" % r, t["events"]),
            o.events, lambda k: "  (%d micro-batches of <= %d)" % (k["batches"], o.spark_max_offsets))
    return t


def phase_hopping(run, o, t):
    for slide in o.slides.split(","):
        name = "hop-" + slide
        for topic in (name + ".valid", name + ".aggregates"):
            run.create_topic(topic, o.partitions)
        print("hopping, 1h windows sliding by %s:" % slide, flush=True)
        contest(o, lambda stages, r: run.run_sluice_backlog("bench-%s-%s-%d" % (name, stages[0], r),
                                                            dict(t, valid=name + ".valid", aggregates=name + ".aggregates"),
                                                            {"size": "1h", "slide": slide}, stages),
                lambda r: run.run_spark_backlog("spark-%s-%d" % (name, r), t["events"],
                                                ["--window", "1 hour", "--slide", spark_duration(slide)]),
                o.events)


def spark_duration(d):
    units = {"s": "seconds", "m": "minutes", "h": "hours"}
    return "%s %s" % (d[:-1], units[d[-1]])


def close_times(run, topic, manifest, lateness_ms, window_ms):
    """{window_end ms: wall time the window closed}: the Kafka timestamp of the first
    valid record (in offset order, one partition) at or past window_end + lateness."""
    with open(manifest) as f:
        plan = [json.loads(x) for x in f]
    records = run.topics.read_all(topic)
    closes = {}
    highest = 0
    for rec, (_, _, ts_ms) in zip(plan, records):
        if rec["expected"] not in ("raw", "duplicate") or not rec["event_time"]:
            continue
        highest = max(highest, iso_ms(rec["event_time"]))
        sealed_to = (highest - lateness_ms) // window_ms * window_ms  # every window ending at or before
        if not closes or sealed_to > max(closes):
            for end in range((max(closes) if closes else sealed_to - window_ms) + window_ms, sealed_to + 1,
                             window_ms):
                closes[end] = ts_ms / 1000.0
    return closes


def latencies(visible_files, closes):
    """Per-row latency (s) from close to visible; visible_files: [(mtime, [files])]."""
    ends = window_ends_per_file([f for _, files in visible_files for f in files])
    out = []
    for mtime, files in visible_files:
        for f in files:
            for we, n in ends.get(f, []):
                if we in closes:
                    out += [mtime - closes[we]] * n
    return sorted(out)


def spark_commits(work):
    """[(mtime, [data files])] of Spark's file sink, from its _spark_metadata log."""
    out, seen = [], set()
    meta = os.path.join(work, "out", "_spark_metadata")
    for path in sorted(glob.glob(os.path.join(meta, "[0-9]*")), key=lambda p: int(os.path.basename(p).split(".")[0])):
        files = []
        with open(path) as f:
            for x in f:  # a N.compact file repeats the files of the batches before it
                if x.startswith("{"):
                    file = json.loads(x)["path"].replace("file://", "").replace("file:", "")
                    if file not in seen:
                        seen.add(file)
                        files.append(file)
        out.append((os.stat(path).st_mtime, files))
    return out


def phase_latency(run, o):
    window, lateness = "10s", "5s"
    result = {}
    for who in [w for w in ("sluice", "fused", "Spark") if w.lower() in o.contenders]:
        topic = "lat-%s.events" % who.lower()
        run.create_topic(topic, 1)
        manifest = os.path.join(run.scratch, topic + ".manifest")
        if who in SLUICE_VARIANTS:
            t = dict(topics_for("lat-" + who))
            work, children = run.start_sluice("bench-lat-" + who, SLUICE_VARIANTS[who], t,
                                              {"size": window, "allowed_lateness": lateness})
            time.sleep(3)
        else:
            work, child, jvm, _ = run.start_spark("spark-lat", topic, ["--window", "10 seconds", "--watermark",
                                                                       "5 seconds"], trigger="0")
            child.wait_line(r'^\{"started"', 120)
        run.demo_source(topic, int(o.latency_rate * o.latency_seconds), o.devices, o.latency_rate,
                        ["--late-share", "0", "--event-interval", "%dms" % round(1000 / o.latency_rate)],
                        manifest=manifest)
        time.sleep(20)  # the last windows close with the last events; let them reach the table
        if who in SLUICE_VARIANTS:
            for c in children.values():
                c.stop()
            commits = run.delta_commits(work)
        else:
            child.stop(timeout=60)
            commits = spark_commits(work)
        lat = latencies(commits, close_times(run, topic, manifest, 5000, 10000))
        result[who] = lat
        print("  %-7s close-to-visible over %d rows: p50 %.3f s, p99 %.3f s, max %.3f s"
              % (who, len(lat), percentile(lat, 0.5), percentile(lat, 0.99), lat[-1] if lat else float("nan")),
              flush=True)
    return result


def phase_rss(run, o):
    for devices in [int(d) for d in o.rss_devices.split(",")]:
        name = "rss-%d" % devices
        topic = name + ".events"
        # Several partitions: a partition's state is checkpointed in one object of at
        # most 256 MiB (docs/formats/state-checkpoint.md), about 700,000 open device
        # windows; one partition of 1,000,000 devices stops at that limit.
        run.create_topic(topic, o.rss_partitions)
        t0 = time.monotonic()
        run.demo_source(topic, 3 * devices, devices, 1e7,
                        ["--start-time", "2026-12-06T00:00:00Z", "--event-interval", "1ms", "--bad-share", "0",
                         "--late-share", "0", "--duplicate-share", "0", "--disorder-share", "0"])
        produced = time.monotonic() - t0
        t = dict(topics_for(name), windows_input=topic)
        work, children = run.start_sluice("bench-" + name, ("windows",), t, {"size": "1h"})
        try:
            run.wait_sluice_done("bench-" + name, ("windows",), t, o.timeout, children)
            pid = children["windows"].proc.pid
            rss, hwm, cpu = proc_mib(pid, "VmRSS"), proc_mib(pid, "VmHWM"), children["windows"].cpu_seconds()
        finally:
            for c in children.values():
                c.stop()
        print("  %9d devices (%d events on %d partitions, produced in %.1f s), every window open: window stage RSS "
              "%.1f MiB, peak %.1f MiB, CPU %.1f s" % (devices, 3 * devices, o.rss_partitions, produced, rss, hwm, cpu),
              flush=True)


def main():
    ap = argparse.ArgumentParser(description="sluice vs Apache Spark on the seed 004 IoT job")
    ap.add_argument("--events", type=int, default=1000000)
    ap.add_argument("--devices", type=int, default=1000)
    ap.add_argument("--event-interval", default="10ms", help="event time between events (throughput, hopping)")
    ap.add_argument("--partitions", type=int, default=2, help="of the throughput topic")
    ap.add_argument("--spark-max-offsets", type=int, default=100000, help="Spark's maxOffsetsPerTrigger")
    ap.add_argument("--latency-rate", type=float, default=1000,
                    help="events/s of the latency phase, at most 1000 (event time is kept to the millisecond)")
    ap.add_argument("--latency-seconds", type=float, default=60)
    ap.add_argument("--slides", default="1h,10m,1m")
    ap.add_argument("--rss-devices", default="100000,1000000")
    ap.add_argument("--rss-partitions", type=int, default=4)
    ap.add_argument("--phases", default="throughput,latency,hopping,rss")
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--sluice", default=os.environ.get("SLUICE_BIN") or os.path.join(REPO_ROOT, "build", "sluice"))
    ap.add_argument("--dir", default="/tmp")
    ap.add_argument("--keep-data", action="store_true")
    ap.add_argument("--repeat", type=int, default=1,
                    help="rounds of the throughput and hopping contests (each contender once per round, "
                         "in turn); the median run by CPU is reported, with the spread")
    ap.add_argument("--contenders", default="sluice,fused,spark",
                    help="who runs, of sluice (three stages), fused (validate and windows in one stage) and spark")
    o = ap.parse_args()
    o.contenders = o.contenders.lower().split(",")
    phases = o.phases.split(",")
    if not 0 < o.latency_rate <= 1000 or 1000 % o.latency_rate:
        # The demo source steps event time in whole milliseconds: at 2,000/s, 1/rate
        # would round to 0 and every event would have the same time.
        ap.error("--latency-rate must divide 1000 (event time advances by a whole number of ms per event)")
    if "spark" in o.contenders and not os.path.exists(SPARK_PYTHON):
        print("bench_iot: Spark is not installed (%s): run scripts/install-spark.sh" % SPARK_PYTHON, file=sys.stderr)
        return 1

    load_start = os.getloadavg()[0]

    def contest_all(scratch):
        broker = Child("broker", [o.sluice, "broker", "--data-dir", os.path.join(scratch, "broker"), "--listen",
                                  "127.0.0.1:0", "--default-partitions", "1"], os.path.join(scratch, "broker.log"))
        try:
            bootstrap = "127.0.0.1:" + broker.wait_line(r"listening on 127\.0\.0\.1:(\d+)", 30).group(1)
            print("==== bench_iot: %d cores, load average %.2f, scratch %s ====" % (os.cpu_count(), load_start,
                                                                                   scratch), flush=True)
            run = Run(o, scratch, broker, bootstrap)
            t = None
            if "throughput" in phases or "hopping" in phases:
                t = phase_throughput(run, o)
            if "latency" in phases:
                print("latency (10 s windows, 5 s lateness, %g events/s live for %g s):" % (o.latency_rate,
                                                                                           o.latency_seconds),
                      flush=True)
                phase_latency(run, o)
            if "hopping" in phases:
                phase_hopping(run, o, t)
            if "rss" in phases:
                print("open windows (sluice's window stage, 1h windows, 3 events per device):", flush=True)
                phase_rss(run, o)
        finally:
            broker.stop()

    return in_scratch("iot", o, contest_all)

if __name__ == "__main__":
    sys.exit(main())
