"""Runbook actions A46 and A47: every process answers liveness/readiness probes
(the broker too, with --admin), and `sluice down` stops a `sluice up` cleanly,
as Ctrl-C would, with the summary."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
import urllib.request

from broker import REPO_ROOT, sluice_bin, wait_until
from demo_env import FAST


class BrokerProbeTest(unittest.TestCase):

    def test_the_broker_serves_healthz_readyz_and_metrics(self):
        tmp = tempfile.mkdtemp(prefix="sluice-probe-")
        proc = subprocess.Popen([sluice_bin(), "broker", "--data-dir", tmp, "--listen", "127.0.0.1:0", "--admin",
                                 "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            line = proc.stdout.readline()
            port = int(re.search(r"admin on http://127\.0\.0\.1:(\d+)", line).group(1))
            for path in ("/healthz", "/readyz"):
                with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=10) as r:
                    self.assertEqual(r.status, 200)
            with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
                self.assertIn("sluice_broker_up 1", r.read().decode())
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            shutil.rmtree(tmp, ignore_errors=True)


class DownTest(unittest.TestCase):

    def test_down_stops_up_cleanly_with_its_summary(self):
        tmp = tempfile.mkdtemp(prefix="sluice-down-")
        env = dict(os.environ, **FAST)
        up = subprocess.Popen([sluice_bin(), "up", "examples/claims-attachments", "--data-dir", tmp, "--port", "0",
                               "--count", "60", "--rate", "200", "--keep-running"], cwd=REPO_ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=open(os.path.join(tmp, "up.err"), "w"), text=True,
                              start_new_session=True)
        try:
            table = os.path.join(tmp, "processes.json")
            wait_until(lambda: os.path.exists(table) and any(
                p["name"] == "supervisor" for p in json.load(open(table))), 60, 0.5, "the process table")
            down = subprocess.run([sluice_bin(), "down", "--data-dir", tmp], capture_output=True, text=True,
                                  timeout=240)
            logs = ""
            for name in sorted(os.listdir(os.path.join(tmp, "logs"))):
                logs += "== %s\n%s\n" % (name, open(os.path.join(tmp, "logs", name)).read()[-1500:])
            self.assertEqual(down.returncode, 0, down.stdout + down.stderr + open(os.path.join(tmp, "up.err")).read()[-3000:]
                             + logs)
            out, _ = up.communicate(timeout=30)
            self.assertEqual(up.returncode, 0, out)
            self.assertIn("==== sluice up: summary ====", out)
            self.assertNotIn("LOST", out)
        finally:
            if up.poll() is None:
                up.kill()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
