"""The stages' admin HTTP commands (pause, resume, breakers) are not open to
whoever can reach the port (issue 16, probe 8): they need the bearer token when
the process has one, refuse cross-origin and non-JSON requests (a web page
cannot pause a stage through the operator's browser), and `sluice up` makes a
token and hands it to its processes and to the CLI. /metrics, /healthz and
/readyz stay open."""

import json
import os
import stat
import subprocess
import urllib.error
import urllib.request

from broker import sluice_bin, wait_until
from stage_fixture import OneStageTest
from up_session import UpSession

TOKEN = "test-token-0123456789abcdef"


def post(address, path, body=b"{}", content_type="application/json", token=None, origin=None):
    """(status, body) of one POST to http://address/path."""
    req = urllib.request.Request("http://%s%s" % (address, path), data=body, method="POST")
    req.add_header("Content-Type", content_type)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if origin:
        req.add_header("Origin", origin)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def get_status(address, path):
    try:
        with urllib.request.urlopen("http://%s%s" % (address, path), timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


class RunWithTokenTest(OneStageTest):

    def test_commands_need_the_token_and_a_same_origin_json_post(self):
        stage = self.start_stage(self.write_pipeline("    options: {}\n"), env={"SLUICE_ADMIN_TOKEN": TOKEN})
        admin = "127.0.0.1:%d" % stage.port

        status, body = post(admin, "/pause")
        self.assertEqual(status, 401, body)
        self.assertIn("Authorization: Bearer", body)
        status, body = post(admin, "/pause", token="not-" + TOKEN)
        self.assertEqual(status, 401, body)
        # What a web page can send without a CORS preflight: cross-origin, text/plain.
        status, body = post(admin, "/pause", body=b"copy", content_type="text/plain", origin="https://evil.example")
        self.assertEqual(status, 403, body)
        self.assertIn("cross-origin", body)
        status, body = post(admin, "/pause", body=b"copy", content_type="text/plain", token=TOKEN)
        self.assertEqual(status, 415, body)
        self.assertFalse(json.loads(stage.get("/status"))[0]["paused"], "nothing refused paused the stage")

        status, body = post(admin, "/pause", body=b'{"name": "copy"}', token=TOKEN)
        self.assertEqual(status, 200, body)
        self.assertTrue(json.loads(body)[0]["paused"])
        for path in ("/metrics", "/healthz", "/status"):
            self.assertEqual(get_status(admin, path), 200, path)

        # The CLI takes the token from the environment (or --admin-token-file).
        env = dict(os.environ, SLUICE_ADMIN_TOKEN=TOKEN)
        r = subprocess.run([sluice_bin(), "resume", "copy", "--admin", admin, "--json"], env=env,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertFalse(json.loads(r.stdout)[0]["paused"])
        token_file = os.path.join(self.tmp, "token")
        with open(token_file, "w") as f:
            f.write(TOKEN + "\n")
        os.chmod(token_file, 0o600)
        env.pop("SLUICE_ADMIN_TOKEN")
        r = subprocess.run([sluice_bin(), "breaker", "status", "--admin", admin, "--admin-token-file", token_file],
                           env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = subprocess.run([sluice_bin(), "pause", "copy", "--admin", admin], env=env, capture_output=True,
                           text=True, timeout=60)
        self.assertNotEqual(r.returncode, 0, "without the token the CLI is refused")
        self.assertIn("token", r.stderr)

    def test_a_non_loopback_admin_without_a_token_warns_at_start(self):
        path = self.write_pipeline("    options: {}\n")
        log_path = os.path.join(self.tmp, "wide.log")
        with open(log_path, "wb") as log:
            proc = subprocess.Popen([sluice_bin(), "run", path, "--admin", "0.0.0.0:0"], stdout=subprocess.PIPE,
                                    stderr=log, text=True)
        try:
            line = proc.stdout.readline()
            self.assertIn("admin on http://0.0.0.0:", line)
            with open(log_path) as f:
                text = f.read()
            self.assertIn("reachable from other machines", text)
            self.assertIn("take no token", text)
        finally:
            proc.kill()
            proc.wait()


class UpTokenTest(UpSession):

    def stage_admins(self):
        return {name: p["admin"] for name, p in self.processes().items() if p.get("stage") and p.get("admin")}

    def test_up_makes_a_private_token_its_stages_require_and_the_cli_uses(self):
        self.start_up("--rate", "5")
        wait_until(lambda: len(self.stage_admins()) == 3 and all(
            get_status(a, "/readyz") == 200 for a in self.stage_admins().values()), 120, 0.5,
            "every stage process ready")
        token_file = os.path.join(self.data, "admin-token")
        self.assertEqual(stat.S_IMODE(os.stat(token_file).st_mode), 0o600)
        with open(token_file) as f:
            token = f.read().strip()
        self.assertEqual(len(token), 64)
        admin = self.stage_admins()["ingest"]

        self.assertEqual(post(admin, "/pause")[0], 401)
        self.assertEqual(post(admin, "/pause", body=b"ingest", content_type="text/plain",
                              origin="http://attacker.example")[0], 403)
        status, body = post(admin, "/resume", token=token)
        self.assertEqual(status, 200, body)

        # The CLI finds the token in the data dir by itself.
        r = self.sluice("pause", "ingest", "--data-dir", self.data, "--json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertTrue(all(s["paused"] for s in json.loads(r.stdout)))
        r = self.sluice("resume", "ingest", "--data-dir", self.data, "--json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertFalse(any(s["paused"] for s in json.loads(r.stdout)))
