"""What the stage tests share: `sluice run` as a child process (StageProcess),
reading a topic back (read_topic), and OneStageTest: per test a fresh broker, an
input and an output topic and a temp dir, for a pipeline of one stage `copy` (the
fault-injector processor, see src/stages/fault_injector.h) that each test
configures with a few YAML lines of its own."""

import json
import os
import re
import shutil
import signal
import sys
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request

import ck_helpers
from broker import BrokerProcess, case_failed, sluice_bin, unique_name
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

ADMIN_RE = re.compile(r"admin on http://127\.0\.0\.1:(\d+)")


def stop_stages(case, stages, tail_lines=120):
    """Kills what is left of `stages`; when `case` failed, prints each stage's log
    tail. Returns whether it failed, for callers with more to print."""
    for s in stages:
        if s.proc and s.proc.poll() is None:
            s.kill9()
    failed = case_failed(case)
    if failed:
        for s in stages:
            sys.stderr.write("\n--- stage log %s (tail) ---\n%s\n" % (s.log_path, s.log_tail(tail_lines)))
    return failed


class StageProcess:
    """`sluice run PIPELINE --admin 127.0.0.1:0 [ARGS]` as a child process."""

    def __init__(self, pipeline_file, workdir, env=None, args=None):
        self.pipeline_file = pipeline_file
        self.env = env or {}  # added to this process's environment
        self.args = args or []  # more arguments of `sluice run`, e.g. ["--stage", "sink"]
        self.log_path = os.path.join(workdir, "stage.log")
        self.proc = None
        self.port = None

    def start(self):
        log = open(self.log_path, "ab")
        env = {**os.environ, "SLUICE_LOG_FORMAT": "json", **self.env}
        self.proc = subprocess.Popen([sluice_bin(), "run", self.pipeline_file, "--admin", "127.0.0.1:0", *self.args],
                                     stdout=subprocess.PIPE, stderr=log, text=True, env=env)
        log.close()
        line = self.proc.stdout.readline()
        m = ADMIN_RE.search(line)
        assert m, "stage did not start: %r\n%s" % (line, self.log_tail())
        self.port = int(m.group(1))
        threading.Thread(target=lambda: self.proc.stdout.read(), daemon=True).start()
        return self

    def log_tail(self, n=60):
        try:
            with open(self.log_path, "rb") as f:
                return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-n:])
        except OSError:
            return ""

    def log_events(self):
        """The stage's JSON log lines, parsed."""
        with open(self.log_path, "rb") as f:
            return [json.loads(line) for line in f.read().decode().splitlines() if line.startswith("{")]

    def get(self, path):
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (self.port, path), timeout=10) as r:
            return r.read().decode()

    def metric(self, name, **labels):
        for line in self.get("/metrics").splitlines():
            if line.startswith(name + "{") or line.startswith(name + " "):
                if all('%s="%s"' % (k, v) in line for k, v in labels.items()):
                    return float(line.rsplit(" ", 1)[1])
        return None

    def terminate(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)

    def kill9(self):
        self.proc.kill()
        self.proc.wait(timeout=30)


def read_topic(bootstrap, topic, expect, timeout=60):
    """All records of `topic` (every partition) once at least `expect` arrived.

    Reads by assignment, not through a consumer group: the topic may not exist
    yet (a stage's first output creates it), and a group reader would then
    depend on a rebalance when it appears. This one waits for the topic, then
    reads every partition from the beginning."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": unique_name("reader"),
                  "enable.auto.commit": False})
    out = []
    deadline = time.monotonic() + timeout
    try:
        partitions = 0
        while partitions == 0 and time.monotonic() < deadline:
            t = c.list_topics(topic, timeout=5).topics.get(topic)
            partitions = len(t.partitions) if t is not None and t.error is None else 0
            if partitions == 0:
                time.sleep(0.2)
        if partitions == 0:
            return out
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
        while len(out) < expect and time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is not None and m.error() is None:
                out.append(m)
        # Linger briefly: anything beyond `expect` would be a duplicate worth seeing.
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            m = c.poll(0.1)
            if m is not None and m.error() is None:
                out.append(m)
    finally:
        c.close()
    return out


# Retry settings for a quick test: two attempts in process, then two short delay topics.
RETRY = "    retry: {max_attempts: 2, initial_backoff_ms: 20, max_backoff_ms: 100, delay_topics: [300ms, 600ms]}\n"


def copy_pipeline(bootstrap, input_topic, output_topic, stage_lines="", name="test"):
    """pipeline.yaml text: one stage `copy` (fault-injector) from input_topic to
    output_topic; stage_lines are more settings of that stage, indented four spaces."""
    return ("pipeline: %s\nbootstrap: %s\nstages:\n  - name: copy\n    input: %s\n"
            "    outputs: [%s]\n    processor: fault-injector\n%s"
            % (name, bootstrap, input_topic, output_topic, stage_lines))


class OneStageTest(unittest.TestCase):
    """Base class (it has no tests of its own): a broker (3 partitions per topic),
    self.input, self.output and self.tmp per test; stages started with start_stage()
    are killed in tearDown. self.stage is the last one started."""

    TMP_PREFIX = "sluice-stage-"
    PARTITIONS = 3  # of every topic the broker creates

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix=self.TMP_PREFIX)
        self.broker = BrokerProcess(default_partitions=self.PARTITIONS, group_initial_rebalance_delay_ms=0)
        self.input = unique_name("in")
        self.output = unique_name("out")
        self.stages = []
        self.stage = None

    def tearDown(self):
        if stop_stages(self, self.stages):
            sys.stderr.write("\n--- broker stderr (tail) ---\n%s\n" % self.broker.stderr_tail(120))
        self.broker.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write_pipeline(self, stage_lines="", name="test"):
        path = os.path.join(self.tmp, "pipeline.yaml")
        with open(path, "w") as f:
            f.write(copy_pipeline(self.broker.bootstrap, self.input, self.output, stage_lines, name))
        return path

    def start_stage(self, path, workdir=None, env=None):
        """Another `sluice run` of `path`; its log goes to workdir/stage.log (default self.tmp)."""
        workdir = workdir or self.tmp
        os.makedirs(workdir, exist_ok=True)
        self.stage = StageProcess(path, workdir, env).start()
        self.stages.append(self.stage)
        return self.stage

    def produce(self, values, topic=None):
        """Values (str) to self.input (or `topic`), keyed k0, k1, ...; every one acknowledged."""
        p = ck_helpers.producer(self.broker.bootstrap)
        for d in ck_helpers.produce_all(p, topic or self.input,
                                        [{"value": v.encode(), "key": b"k%d" % i} for i, v in enumerate(values)]):
            self.assertIsNone(d.error)
