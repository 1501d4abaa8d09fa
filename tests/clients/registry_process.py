"""Runs `sluice registry` as a child process for the schema registry tests.

It listens on 127.0.0.1 only, on a port the kernel picks (`--listen 127.0.0.1:0`);
the port is read from the ready line the registry prints once it has replayed
`_schemas` to the end. Its stderr goes to a file beside the broker's so a failing
test can show it. Every wait here is bounded; none is asserted.
"""

import json
import os
import re
import subprocess
import urllib.error
import urllib.request

from broker import sluice_bin, stop_child

READY_RE = re.compile(r"sluice registry listening on http://127\.0\.0\.1:(\d+)")
START_TIMEOUT_S = 60


class RegistryProcess:
    def __init__(self, bootstrap, tmpdir, topic="_schemas"):
        self.bootstrap = bootstrap
        self.topic = topic
        self.stderr_path = os.path.join(tmpdir, "registry.stderr.log")
        self.proc = None
        self.url = None

    def start(self):
        args = [sluice_bin(), "registry", "--bootstrap", self.bootstrap, "--listen", "127.0.0.1:0",
                "--topic", self.topic]
        with open(self.stderr_path, "ab") as err:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=err, close_fds=True)
        # The ready line comes after the replay; the registry prints nothing else on stdout.
        line = self.proc.stdout.readline().decode("utf-8", "replace")
        m = READY_RE.search(line)
        if not m:
            stop_child(self.proc)
            raise AssertionError("registry did not start (stdout %r, exit %r)\n%s"
                                 % (line, self.proc.poll(), self.stderr_tail()))
        self.url = "http://127.0.0.1:%s" % m.group(1)
        return self

    def stop(self):
        if self.proc is not None:
            stop_child(self.proc)
            self.proc.stdout.close()
            rc = self.proc.returncode
            self.proc = None
            return rc
        return None

    def stderr_tail(self, lines=60):
        try:
            with open(self.stderr_path, "rb") as f:
                return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return "(no registry stderr)"

    def call(self, method, path, body=None, content_type="application/vnd.schemaregistry.v1+json"):
        """(status, parsed JSON or text, content type) of one request; `body` is JSON-encoded
        unless it is already a str."""
        data = None
        if body is not None:
            data = (body if isinstance(body, str) else json.dumps(body)).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                status, text, ctype = r.status, r.read().decode(), r.headers.get("Content-Type")
        except urllib.error.HTTPError as e:
            status, text, ctype = e.code, e.read().decode(), e.headers.get("Content-Type")
        try:
            return status, json.loads(text), ctype
        except ValueError:
            return status, text, ctype

    def metric(self, name):
        _, page, _ = self.call("GET", "/metrics")
        for line in page.splitlines():
            if line.startswith(name + " "):
                return float(line.rsplit(" ", 1)[1])
        return None
