#!/usr/bin/env python3
"""Chaos run of the claim-attachment pipeline (issue 8 item 2).

Starts `sluice up examples/claims-attachments --count N --keep-running` (broker,
the ingest, download and result stages as supervised children, the demo
source), and while the N events are being sent kills (SIGKILL) a random stage
process or the broker K times at random moments, each time waiting for the
supervisor to restart the victim before the next kill. Then it waits until
every event is on the input topic and `sluice validate` reports every event
accounted for, stops `sluice up` with SIGINT (it drains and prints its own
reconciliation) and prints a report.

Exit status 0 only if validate and the summary of `sluice up` report no lost
task, no duplicate row and no missing object, and the input topic holds every
event the demo source had acknowledged.

    tests/chaos/chaos.py --events 3000 --rate 300 --kills 5           # 1.5-2.5 minutes on 2 cores
    tests/chaos/chaos.py --events 100000 --rate 250 --kills 20        # about 14 minutes, 20 GB of disk
    tests/chaos/chaos.py --events 1000000 --kills 50 --max-attachment-size 8KiB   # the long run

Standard library only. The demo source is never killed: it is the outside
world (its producer and its attachment server).
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
PIPELINE_DIR = "examples/claims-attachments"
PIPELINE_FILE = PIPELINE_DIR + "/pipeline.yaml"

# Short timeouts and retry delays so the slow and hanging demo cases settle in
# seconds: the tests' own settings (tests/clients/demo_env.py).
sys.path.insert(0, os.path.join(HERE, "..", "clients"))
from demo_env import FAST  # noqa: E402


def is_victim(entry):
    """Stage processes (any replica) and the broker; never the demo source (the outside
    world) nor the supervisor (`sluice up` itself, listed as "supervisor")."""
    return (entry.get("name") == "broker" or bool(entry.get("stage"))) and entry.get("pid", -1) > 0


PROGRESS_RE = re.compile(r"demo-source: (\d+) sent \([^)]*\), \d+ bad, (\d+) delivered, (\d+) failed")


class ChaosError(Exception):
    pass


def log(msg):
    sys.stderr.write("[chaos %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def parse_report(text):
    """The figures of a reconciliation (`sluice validate` or the summary of `sluice up`)."""
    def num(pattern):
        m = re.search(pattern, text)
        return int(m.group(1)) if m else None

    return {
        "events": num(r"events in:\s+(\d+)"),
        "events_dead_lettered": num(r"events in:\s+\d+ \((\d+) dead-lettered"),
        "tasks_expected": num(r"attachments \(tasks\):\s+(\d+) expected"),
        "rows": num(r"table rows:\s+(\d+)"),
        "dlq": num(r"DLQ records:\s+(\d+)"),
        "lost": num(r"unaccounted:\s+(\d+)"),
        "duplicates": num(r"duplicate rows:\s+(\d+)"),
        "objects": num(r"objects checked:\s+(\d+)"),
        "missing_objects": num(r"objects checked:\s+\d+ \((\d+) missing\)"),
        "ok": "OK: every event is accounted for exactly once" in text,
    }


class Chaos:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.sluice = os.path.abspath(args.sluice)
        self.own_data_dir = args.data_dir is None
        self.data_dir = os.path.abspath(args.data_dir or tempfile.mkdtemp(prefix="sluice-chaos-"))
        self.env = dict(os.environ, **FAST)
        self.up = None
        self.t0 = None
        self.kills = []           # (seconds since start, victim name, old pid, seconds until restarted)
        self.validate_runs = 0
        self.last_validate = ""
        self.summary = ""
        self.groups = ""
        self.problems = []

    # ---- helpers -------------------------------------------------------------------------

    def elapsed(self):
        return time.monotonic() - self.t0

    def deadline_left(self):
        return self.args.timeout - self.elapsed()

    def check_deadline(self, what):
        if self.deadline_left() <= 0:
            raise ChaosError("overall timeout (%ds) reached while %s" % (self.args.timeout, what))

    def check_up_alive(self):
        if self.up.poll() is not None:
            raise ChaosError("`sluice up` exited early with status %s; see %s" %
                             (self.up.returncode, self.up_log_path()))

    def up_log_path(self):
        return os.path.join(self.data_dir, "chaos-up.stderr.log")

    def processes(self):
        try:
            with open(os.path.join(self.data_dir, "processes.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return []  # not written yet, or being replaced: asked again

    def pid_of(self, name):
        for p in self.processes():
            if p.get("name") == name:
                return p.get("pid", -1)
        return None

    def source_progress(self):
        """(sent, delivered, failed, all_sent) from the demo source's log."""
        try:
            with open(os.path.join(self.data_dir, "logs", "demo-source.log"), errors="replace") as f:
                text = f.read()
        except OSError:
            return 0, 0, 0, False
        found = PROGRESS_RE.findall(text)
        sent, delivered, failed = (int(x) for x in found[-1]) if found else (0, 0, 0)
        done = "all %d events sent" % self.args.events in text
        return sent, delivered, failed, done

    def validate(self):
        self.validate_runs += 1
        try:
            run = subprocess.run([self.sluice, "validate", PIPELINE_FILE, "--data-dir", self.data_dir],
                                 cwd=REPO_ROOT, env=self.env, capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            self.last_validate = "validate timed out"
            return 124, ""
        except OSError as e:  # the binary is being replaced by a build: asked again
            self.last_validate = str(e)
            return 126, ""
        self.last_validate = run.stdout + (run.stderr if run.returncode not in (0, 1) else "")
        return run.returncode, run.stdout

    # ---- phases --------------------------------------------------------------------------

    def start(self):
        cmd = [self.sluice, "up", PIPELINE_DIR, "--data-dir", self.data_dir, "--port", "0",
               "--count", str(self.args.events), "--rate", str(self.args.rate),
               "--bad-share", str(self.args.bad_share), "--keep-running",
               "--max-attachment-size", self.args.max_attachment_size,
               "--drain-timeout", str(self.args.drain_timeout)]
        for r in self.args.replicas:
            cmd += ["--replicas", r]
        log("data dir %s" % self.data_dir)
        log("starting: %s" % " ".join(cmd))
        os.makedirs(self.data_dir, exist_ok=True)
        self.up_out = open(os.path.join(self.data_dir, "chaos-up.stdout.log"), "w")
        self.up_err = open(self.up_log_path(), "w")
        self.t0 = time.monotonic()
        self.up = subprocess.Popen(cmd, cwd=REPO_ROOT, env=self.env, stdout=self.up_out,
                                   stderr=self.up_err, start_new_session=True)

    def wait_for_flow(self):
        while True:
            self.check_up_alive()
            self.check_deadline("waiting for events to flow")
            _, delivered, _, _ = self.source_progress()
            names = [p["name"] for p in self.processes() if is_victim(p)]
            if delivered > 0 and "broker" in names and len(names) >= 2:
                log("events are flowing after %.1fs; processes: %s" % (self.elapsed(), ", ".join(names)))
                return
            time.sleep(0.2)

    def wait_restarted(self, name, old_pid):
        start = time.monotonic()
        while time.monotonic() - start < self.args.restart_timeout:
            self.check_up_alive()
            pid = self.pid_of(name)
            if pid is not None and pid > 0 and pid != old_pid:
                return time.monotonic() - start
            time.sleep(0.1)
        raise ChaosError("the supervisor did not restart %s (pid %d) within %ds" %
                         (name, old_pid, self.args.restart_timeout))

    def kill_loop(self):
        """K kills at random moments spread over the sending period, one at a time."""
        k = self.args.kills
        if k == 0:
            return
        sending = self.args.events / float(self.args.rate)
        begin = self.elapsed()
        moments = sorted(begin + self.rng.uniform(0.05, 0.95) * sending for _ in range(k))
        for i, at in enumerate(moments):
            # Never sooner than a random pause after the previous restart.
            at = max(at, self.elapsed() + (self.rng.uniform(0.2, 2.0) if i else 0))
            while self.elapsed() < at:
                self.check_up_alive()
                # check_up_alive takes time: the moment may have passed since the test above.
                time.sleep(max(0.0, min(0.1, at - self.elapsed())))
            victims = [p for p in self.processes() if is_victim(p)]
            if not victims:
                time.sleep(0.5)
                victims = [p for p in self.processes() if is_victim(p)]
            if not victims:
                raise ChaosError("no live stage or broker process in processes.json")
            victim = self.rng.choice(victims)
            name, pid = victim["name"], victim["pid"]
            when = self.elapsed()
            sent, _, _, _ = self.source_progress()
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                log("kill %d/%d: %s (pid %d) was already gone" % (i + 1, k, name, pid))
            log("kill %d/%d at %.1fs: %s (pid %d), %d events sent so far" % (i + 1, k, when, name, pid, sent))
            took = self.wait_restarted(name, pid)
            log("  %s restarted after %.1fs (pid %s)" % (name, took, self.pid_of(name)))
            self.kills.append((when, name, pid, took, sent))

    def wait_all_sent(self):
        while True:
            self.check_up_alive()
            self.check_deadline("waiting for the demo source to send every event")
            sent, delivered, failed, done = self.source_progress()
            if done:
                log("all %d events sent after %.1fs (%d delivered, %d failed)" %
                    (self.args.events, self.elapsed(), delivered, failed))
                self.delivered, self.failed = delivered, failed
                if failed:
                    self.problems.append("the demo source could not deliver %d event(s)" % failed)
                return
            time.sleep(0.5)

    def wait_validated(self):
        """Repeat `sluice validate` until it exits 0 with every event on the input topic."""
        last_lost, since = None, time.monotonic()
        while True:
            self.check_up_alive()
            rc, out = self.validate()
            r = parse_report(out)
            if rc not in (0, 1):
                log("validate failed (status %d): %s" % (rc, self.last_validate.strip()[-500:]))
            log("validate: rc %d, events %s, rows %s, DLQ %s, unaccounted %s, duplicates %s, missing objects %s" %
                (rc, r["events"], r["rows"], r["dlq"], r["lost"], r["duplicates"], r["missing_objects"]))
            if rc == 0 and r["events"] is not None and r["events"] >= self.delivered:
                return r
            if r["duplicates"] or r["missing_objects"]:
                return r  # final: rows are never removed
            if r["lost"] != last_lost:
                last_lost, since = r["lost"], time.monotonic()
            elif time.monotonic() - since > self.args.stall_timeout:
                log("no progress for %ds" % self.args.stall_timeout)
                return r
            if self.deadline_left() <= 0:
                log("overall timeout reached while waiting for validate")
                return r
            time.sleep(self.args.poll)

    def bootstrap(self):
        return self.pid_of("broker") and next(
            (p.get("admin") for p in self.processes() if p.get("name") == "broker"), None)

    def snapshot_groups(self):
        """`sluice groups describe --all` before stopping: where a drain that does not finish is stuck."""
        bootstrap = self.bootstrap()
        if not bootstrap:
            return
        try:
            run = subprocess.run([self.sluice, "groups", "describe", "--all", "--bootstrap", bootstrap],
                                 cwd=REPO_ROOT, env=self.env, capture_output=True, text=True, timeout=60)
            self.groups = run.stdout + run.stderr
        except (subprocess.TimeoutExpired, OSError) as e:
            self.groups = str(e)
        with open(os.path.join(self.data_dir, "chaos-groups.txt"), "w") as f:
            f.write(self.groups)

    def stop(self):
        """SIGINT: `sluice up` drains and prints its summary."""
        if self.up is None or self.up.poll() is not None:
            return
        self.snapshot_groups()
        self.up.send_signal(signal.SIGINT)
        try:
            self.up.wait(timeout=self.args.drain_timeout + 180)
        except subprocess.TimeoutExpired:
            log("`sluice up` did not stop after SIGINT; a second SIGINT skips the drain")
            self.up.send_signal(signal.SIGINT)
            try:
                self.up.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.kill_everything()
        self.up_out.flush()
        with open(os.path.join(self.data_dir, "chaos-up.stdout.log")) as f:
            self.summary = f.read()

    def kill_everything(self):
        """Last resort: the children are in their own process groups, so kill each by pid."""
        pids = [p.get("pid", -1) for p in self.processes()]
        try:
            os.kill(self.up.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.up.wait()
        for pid in pids:
            if pid and pid > 0:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    # ---- the run -------------------------------------------------------------------------

    def run(self):
        self.delivered, self.failed = self.args.events, 0
        final = {}
        try:
            self.start()
            self.wait_for_flow()
            self.kill_loop()
            self.wait_all_sent()
            final = self.wait_validated()
        except ChaosError as e:
            self.problems.append(str(e))
        except KeyboardInterrupt:
            self.problems.append("interrupted")
        finally:
            try:
                self.stop()
            except KeyboardInterrupt:
                self.kill_everything()
        wall = self.elapsed()
        summary = parse_report(self.summary)
        ok = self.report(final, summary, wall)
        if ok and self.own_data_dir and not self.args.keep:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        elif not ok:
            print("data and logs kept in %s" % self.data_dir)
        return 0 if ok else 1

    def report(self, final, summary, wall):
        a = self.args
        p = print
        p("==== chaos report ====")
        p("events:            %d sent at %d/s (bad share %.2f), %d acknowledged, %d failed; %s on the input topic"
          % (a.events, a.rate, a.bad_share, self.delivered, self.failed, final.get("events")))
        p("replicas:          %s" % (", ".join(a.replicas) or "1 of each stage"))
        p("kills:             %d of %d (seed %s)" % (len(self.kills), a.kills, a.seed))
        for when, name, pid, took, sent in self.kills:
            p("  %7.1fs  %-12s pid %-7d restarted after %.1fs (%d events sent)" % (when, name, pid, took, sent))
        m = re.search(r"stage restarts: (\d+)", self.summary)
        p("restarts:          %s (the supervisor's count, broker included)" % (m.group(1) if m else "?"))
        p("validate:          %d run(s); last: tasks %s, rows %s, DLQ %s, lost %s, duplicates %s, missing objects %s"
          % (self.validate_runs, final.get("tasks_expected"), final.get("rows"), final.get("dlq"),
             final.get("lost"), final.get("duplicates"), final.get("missing_objects")))
        p("sluice up summary: rows %s, DLQ %s, lost %s, duplicates %s, missing objects %s%s"
          % (summary["rows"], summary["dlq"], summary["lost"], summary["duplicates"],
             summary["missing_objects"], "" if summary["ok"] else " (NOT OK)"))
        p("wall time:         %.1fs" % wall)
        ok = True
        if not final.get("ok"):
            ok = False
            self.problems.append("`sluice validate` did not report every event accounted for")
        if final.get("events") is not None and final["events"] < self.delivered:
            ok = False
            self.problems.append("the input topic holds %d events but the demo source had %d acknowledged"
                                 % (final["events"], self.delivered))
        if not summary["ok"]:
            ok = False
            self.problems.append("the summary of `sluice up` is not OK")
        if "stopped before the pipeline drained" in self.summary:
            ok = False
            self.problems.append("`sluice up` stopped before the pipeline drained (consumer groups "
                                 "before the stop: %s)" % os.path.join(self.data_dir, "chaos-groups.txt"))
        if self.up is not None and self.up.returncode not in (0, None):
            ok = False
            self.problems.append("`sluice up` exited with status %d" % self.up.returncode)
        ok = ok and not self.problems
        if not final.get("ok") and self.last_validate:
            p("---- last validate output ----")
            p(self.last_validate.rstrip())
        if self.summary and not summary["ok"]:
            p("---- sluice up output ----")
            p(self.summary.rstrip())
        for problem in self.problems:
            p("PROBLEM: %s" % problem)
        p("RESULT: %s" % ("OK: 0 lost, 0 duplicates" if ok else "FAILED"))
        sys.stdout.flush()
        return ok


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=1000000, help="demo events to send (default 1000000)")
    ap.add_argument("--kills", type=int, default=50, help="SIGKILLs of stages or the broker (default 50)")
    ap.add_argument("--rate", type=int, default=300, help="demo events per second (default 300)")
    ap.add_argument("--bad-share", type=float, default=0.1, help="share of bad demo events (default 0.1)")
    ap.add_argument("--max-attachment-size", default="200KiB",
                    help="largest demo attachment (default 200KiB, about 100 KiB a file on average); "
                         "8KiB lets 1M events fit in about 12 GB")
    ap.add_argument("--seed", type=int, default=None, help="seed for the kill schedule and victims")
    ap.add_argument("--data-dir", default=None, help="data dir of `sluice up` (default: a new temp dir, "
                                                     "removed after a successful run)")
    ap.add_argument("--keep", action="store_true", help="keep the temp data dir after a successful run")
    ap.add_argument("--sluice", default=os.environ.get("SLUICE_BIN") or os.path.join(REPO_ROOT, "build", "sluice"),
                    help="the sluice binary (default $SLUICE_BIN or build/sluice)")
    ap.add_argument("--replicas", action="append", default=None,
                    help="STAGE=N for `sluice up --replicas` (repeatable; default download=2)")
    ap.add_argument("--timeout", type=int, default=None,
                    help="overall seconds for sending and settling (default: sending time + 600)")
    ap.add_argument("--stall-timeout", type=int, default=180,
                    help="give up when validate makes no progress for this long (default 180)")
    ap.add_argument("--drain-timeout", type=int, default=120, help="`sluice up --drain-timeout` (default 120)")
    ap.add_argument("--restart-timeout", type=int, default=90,
                    help="seconds the supervisor gets to restart a victim (default 90)")
    ap.add_argument("--poll", type=float, default=3.0, help="seconds between validate runs (default 3)")
    args = ap.parse_args(argv)
    if args.replicas is None:
        args.replicas = ["download=2"]
    if args.seed is None:
        args.seed = random.randrange(1 << 31)
    if args.timeout is None:
        args.timeout = int(args.events / float(args.rate)) + 600
    if args.events <= 0 or args.rate <= 0 or args.kills < 0:
        ap.error("--events and --rate must be positive, --kills not negative")
    if not os.access(args.sluice, os.X_OK):
        ap.error("no sluice binary at %s (build it, or pass --sluice / set SLUICE_BIN)" % args.sluice)
    return Chaos(args).run()


if __name__ == "__main__":
    sys.exit(main())
