"""Runs `sluice broker` as a child process for the real-client tests.

The broker listens on 127.0.0.1 only, on a port the kernel picks (`--listen
127.0.0.1:0`); the port is read from the single ready line the broker prints on
stdout. Its stderr goes to a file next to the data dir so a failing test can show
what the broker logged. Every wait here is bounded.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request
import uuid


def _ensure_client_modules_importable():
    """The Debian packages python3-kafka / python3-confluent-kafka live in
    /usr/lib/python3/dist-packages. When `python3` on PATH is another build of
    the same minor version (pyenv, a venv), that directory is not on sys.path;
    append it (last, so the running interpreter's own packages win)."""
    try:
        import kafka  # noqa: F401
        import confluent_kafka  # noqa: F401
        return
    except ImportError:
        pass
    dist = "/usr/lib/python3/dist-packages"
    if os.path.isdir(dist) and dist not in sys.path:
        sys.path.append(dist)


_ensure_client_modules_importable()

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
READY_RE = re.compile(r"sluice broker listening on 127\.0\.0\.1:(\d+)")

START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 20.0


def sluice_bin():
    path = os.environ.get("SLUICE_BIN") or os.path.join(REPO_ROOT, "build", "sluice")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise RuntimeError(
            "sluice binary not found at %r; build it and/or set SLUICE_BIN" % path)
    return path


def unique_name(prefix="t"):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


def wait_until(predicate, timeout, interval=0.1, message="condition", explain=None):
    """Polls predicate() until it returns a truthy value (returned) or the
    timeout passes (AssertionError; explain(), when given, adds what the
    caller can tell about why, e.g. a log tail)."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.1fs waiting for %s (last value: %r)%s"
                                 % (timeout, message, last, "\n" + explain() if explain else ""))
        time.sleep(interval)


class BrokerStartError(RuntimeError):
    def __init__(self, message, port_in_use=False):
        super().__init__(message)
        self.port_in_use = port_in_use  # the listen port was taken; another may work


def stop_child(proc, timeout=30):
    """SIGTERM a child process still running, and SIGKILL it if it has not exited after `timeout` s."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)


def case_failed(case):
    """Whether `case` (a running unittest.TestCase, asked from its tearDown) has failed:
    its logs are then worth printing."""
    outcome = getattr(case, "_outcome", None)
    if outcome is None:
        return False
    errors = getattr(outcome, "errors", None)  # Python <= 3.10
    if errors:
        return any(exc is not None for _, exc in errors)
    result = getattr(outcome, "result", None)
    if result is None:
        return False
    for test, _ in list(getattr(result, "failures", [])) + list(getattr(result, "errors", [])):
        if test is case or getattr(test, "test_case", None) is case:
            return True
    return False


def _flag_args(flags):
    args = []
    for key, value in flags.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        args += ["--" + key.replace("_", "-"), str(value)]
    return args


class BrokerProcess:
    """`sluice broker` child process.

    BrokerProcess(tmpdir=None, **flags): flags map to command-line options,
    e.g. default_partitions=3 -> `--default-partitions 3`, flush="always",
    auto_create_topics=False -> `--auto-create-topics false`.
    """

    def __init__(self, tmpdir=None, start=True, env=None, **flags):
        self._owned_tmp = None
        # Extra environment for the child, e.g. {"SLUICE_CRASH_AT": "cleaner.swap.committed"};
        # replaced or dropped between starts by assigning self.env.
        self.env = dict(env or {})
        if tmpdir is None:
            self._owned_tmp = tempfile.TemporaryDirectory(prefix="sluice-clients-")
            tmpdir = self._owned_tmp.name
        os.makedirs(tmpdir, exist_ok=True)
        self.tmpdir = tmpdir
        self.data_dir = os.path.join(tmpdir, "data")
        self.stderr_path = os.path.join(tmpdir, "broker.stderr.log")
        self.stdout_path = os.path.join(tmpdir, "broker.stdout.log")
        self.flags = dict(flags)
        self.port = None
        self.proc = None
        self.ready_line = None
        self.last_exit_code = None
        self.port_changed_on_restart = False
        self.starts = 0
        self._expected_exit = False
        self._stdout_thread = None
        if start:
            self.start()

    # ------------------------------------------------------------------ info
    @property
    def bootstrap(self):
        return "127.0.0.1:%d" % self.port

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def is_running(self):
        return self.proc is not None and self.proc.poll() is None

    def metric(self, name, **labels):
        """The value of `name` with exactly `labels` on the broker's /metrics (it must
        have been started with admin="127.0.0.1:0"), or None when there is no such series."""
        port = int(re.search(r"admin on http://127\.0\.0\.1:(\d+)", self.ready_line).group(1))
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
            page = r.read().decode()
        series = name + ("{%s}" % ",".join('%s="%s"' % kv for kv in labels.items()) if labels else "")
        for line in page.splitlines():
            if line.startswith(series + " "):
                return float(line.rsplit(" ", 1)[1])
        return None

    def unexpected_exit(self):
        """Return code if the process died without stop()/kill9() asking it to."""
        if self.proc is None or self._expected_exit:
            return None
        return self.proc.poll()

    def stderr_tail(self, lines=80):
        try:
            with open(self.stderr_path, "rb") as f:
                data = f.read()
        except OSError:
            return "(no broker stderr file)"
        text = data.decode("utf-8", "replace").splitlines()
        return "\n".join(text[-lines:])

    def describe(self):
        state = "running" if self.is_running() else "exited rc=%r" % (
            self.proc.poll() if self.proc else None)
        return "broker pid=%s port=%s %s data_dir=%s" % (self.pid, self.port, state, self.data_dir)

    # --------------------------------------------------------------- process
    def start(self, port=None):
        """Starts the broker. port=None: the previous port if there was one (see
        restart: another process may hold it a while), else 0."""
        if port is None and self.port:
            return self.restart(stop_first=False)
        if self.is_running():
            raise RuntimeError("broker already running")
        listen_port = port if port is not None else 0
        args = [sluice_bin(), "broker", "--data-dir", self.data_dir,
                "--listen", "127.0.0.1:%d" % listen_port] + _flag_args(self.flags)
        self.starts += 1
        err = open(self.stderr_path, "ab")
        try:
            err.write(("==== start #%d: %s\n" % (self.starts, " ".join(args))).encode())
            err.flush()
            self._expected_exit = False
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=err, close_fds=True,
                                         env=dict(os.environ, **self.env) if self.env else None)
        finally:
            err.close()

        ready = {"line": None}
        got_line = threading.Event()
        proc = self.proc
        stdout_path = self.stdout_path

        def pump():
            # Reads the ready line, then keeps draining stdout so the broker never blocks on it.
            with open(stdout_path, "ab") as out:
                for raw in iter(proc.stdout.readline, b""):
                    out.write(raw)
                    out.flush()
                    if ready["line"] is None:
                        ready["line"] = raw.decode("utf-8", "replace")
                        got_line.set()
            got_line.set()

        self._stdout_thread = threading.Thread(target=pump, name="sluice-stdout", daemon=True)
        self._stdout_thread.start()

        deadline = time.monotonic() + START_TIMEOUT_S
        while not got_line.is_set() and time.monotonic() < deadline:
            got_line.wait(0.1)
        line = ready["line"]
        m = READY_RE.search(line or "")
        if not m:
            rc = proc.poll()
            if rc is None:
                self._expected_exit = True
                proc.kill()
                proc.wait(timeout=STOP_TIMEOUT_S)
            tail = self.stderr_tail()
            this_start = tail.split("==== start #%d:" % self.starts)[-1]
            raise BrokerStartError(
                "broker did not print its ready line within %.0fs (first stdout line: %r, exit "
                "code: %r)\n--- broker stderr tail ---\n%s"
                % (START_TIMEOUT_S, line, proc.poll(), tail),
                port_in_use="Address already in use" in this_start)
        self.ready_line = line.strip()
        self.port = int(m.group(1))
        return self

    def _wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def _reap(self):
        if self._stdout_thread is not None:
            self._stdout_thread.join(timeout=5)
            self._stdout_thread = None
        if self.proc is not None and self.proc.stdout:
            try:
                self.proc.stdout.close()
            except OSError:
                pass

    def stop(self, timeout=STOP_TIMEOUT_S):
        """SIGTERM and wait. Returns the exit code. If the broker does not exit in
        time it is SIGKILLed and AssertionError is raised."""
        if self.proc is None:
            return None
        if self.proc.poll() is not None:
            self.last_exit_code = self.proc.returncode
            self._reap()
            return self.last_exit_code
        self._expected_exit = True
        self.proc.send_signal(signal.SIGTERM)
        rc = self._wait_exit(timeout)
        if rc is None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT_S)
            self._reap()
            self.last_exit_code = self.proc.returncode
            raise AssertionError("broker did not exit within %.0fs of SIGTERM; killed it\n"
                                 "--- broker stderr tail ---\n%s" % (timeout, self.stderr_tail()))
        self.last_exit_code = rc
        self._reap()
        return rc

    def wait_for_crash(self, timeout):
        """Waits for the broker to die on its own (a crash point), which is then expected;
        returns its exit code, or None if it was still running after `timeout` seconds."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        self._expected_exit = True
        self.last_exit_code = self.proc.returncode
        self._reap()
        return self.last_exit_code

    def kill9(self):
        """SIGKILL: no chance to flush anything."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self._expected_exit = True
        self.proc.kill()
        self.proc.wait(timeout=STOP_TIMEOUT_S)
        self.last_exit_code = self.proc.returncode
        self._reap()

    def restart(self, stop_first=True, port_retry_s=10.0):
        """Restarts on the same data dir, on the same port if it can be bound again
        within port_retry_s; otherwise on a fresh port (port_changed_on_restart)."""
        if stop_first and self.is_running():
            self.stop()
        old_port = self.port
        deadline = time.monotonic() + port_retry_s
        while True:
            try:
                return self.start(port=old_port)
            except BrokerStartError as e:
                if not e.port_in_use:
                    raise
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.5)
        self.port_changed_on_restart = True
        return self.start(port=0)

    def close(self):
        try:
            if self.is_running():
                self.stop()
        finally:
            if self._owned_tmp is not None:
                self._owned_tmp.cleanup()
                self._owned_tmp = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class BrokerTestCase(unittest.TestCase):
    """Starts one broker per test (flags from `broker_flags`) in a fresh temporary
    directory and stops it afterwards. On failure prints the broker's stderr tail;
    a broker that died on its own fails the test."""

    broker_flags = {}
    start_broker_in_setup = True

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sluice-clients-")
        self.addCleanup(self._tmp.cleanup)
        self.brokers = []
        self.broker = None
        if self.start_broker_in_setup:
            self.broker = self.start_broker(**self.broker_flags)

    def start_broker(self, **flags):
        sub = tempfile.mkdtemp(prefix="broker-", dir=self._tmp.name)
        b = BrokerProcess(tmpdir=sub, start=False, **flags)
        self.brokers.append(b)
        b.start()
        return b

    def broker_log(self, broker=None, lines=60):
        b = broker or self.broker
        if b is None:
            return ""
        return "\n--- %s; stderr tail ---\n%s" % (b.describe(), b.stderr_tail(lines))

    def tearDown(self):
        crashed = []
        stop_errors = []
        for b in self.brokers:
            rc = b.unexpected_exit()
            if rc is not None:
                crashed.append((b, rc))
            try:
                b.stop()
            except AssertionError as e:
                stop_errors.append(str(e))
        if case_failed(self) or crashed or stop_errors:
            for b in self.brokers:
                sys.stderr.write(self.broker_log(b, 120) + "\n")
        if crashed:
            self.fail("broker exited on its own: " + ", ".join(
                "%s (exit code %r)" % (b.describe(), rc) for b, rc in crashed))
        if stop_errors:
            self.fail("; ".join(stop_errors))
