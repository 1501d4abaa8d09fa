"""A `sluice up` of examples/claims-attachments (or PIPELINE) in a temporary data dir, for tests
that drive it as an operator would: free admin ports (demo_env.FAST), its stderr
kept in TMP/up.err (its summary in TMP/up.out), its process table read as {name: entry}, and `sluice`
commands run beside it. Whatever a test starts is killed in tearDown."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

from broker import REPO_ROOT, sluice_bin
from demo_env import FAST


class UpSession(unittest.TestCase):

    PIPELINE = "examples/claims-attachments"
    ENV = FAST  # demo_env: what the pipeline's processes run with

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sluice-up-session-")
        self.data = os.path.join(self.tmp, "data")
        self.env = dict(os.environ, **self.ENV)
        self.children = []  # killed in tearDown if still running
        self.up = None

    def tearDown(self):
        for proc in self.children:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start_up(self, *args):
        with open(os.path.join(self.tmp, "up.out"), "w") as out, open(os.path.join(self.tmp, "up.err"), "w") as err:
            self.up = subprocess.Popen([sluice_bin(), "up", self.PIPELINE, "--data-dir", self.data,
                                        "--port", "0"] + list(args),
                                       cwd=REPO_ROOT, env=self.env, stdout=out, stderr=err, start_new_session=True)
        self.children.append(self.up)
        return self.up

    def up_out(self):
        """What `sluice up` printed on stdout: its summary, once it exited."""
        with open(os.path.join(self.tmp, "up.out")) as f:
            return f.read()

    def up_err(self):
        with open(os.path.join(self.tmp, "up.err")) as f:
            return f.read()

    def sluice(self, *args, timeout=120):
        return subprocess.run([sluice_bin()] + list(args), cwd=REPO_ROOT, env=self.env, capture_output=True,
                              text=True, timeout=timeout)

    def processes(self):
        """DATA/processes.json as {name: entry}; {} before `sluice up` wrote it."""
        try:
            with open(os.path.join(self.data, "processes.json")) as f:
                return {p["name"]: p for p in json.load(f)}
        except (OSError, ValueError):
            return {}
