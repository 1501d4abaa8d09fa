"""Real Prometheus (Debian's /usr/bin/prometheus) against a running `sluice up`,
discovering its processes through DATA/prometheus/targets.json (file_sd), with
the shipped alert rules (deploy/prometheus/alerts.yml) and a copy of
KafkaWorkerDead whose `for:` is 3 s instead of 2 m, so that "fires when a
process stays down" can be seen in a test.

What is checked, through Prometheus's HTTP API (/api/v1/targets, /alerts, /query):
  - every process is a target with role, stage, replica, pipeline and process labels;
  - a stage killed with SIGKILL is restarted by the supervisor on the same port,
    its target is up again, and the shipped KafkaWorkerDead never fires and
    leaves nothing behind (before fixed ports it fired for the old port forever);
  - a stage held down with `sluice stop` makes the fast copy fire, and after
    `sluice start` it resolves by itself.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import unittest
import urllib.parse
import urllib.request

import yaml

from broker import REPO_ROOT, wait_until
from up_session import UpSession

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
FAST_ALERT = "KafkaWorkerDeadFast"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fast_worker_dead_rules(path):
    """alerts.yml's KafkaWorkerDead, renamed and with `for: 3s`, alone in a rule file."""
    with open(os.path.join(REPO_ROOT, "deploy/prometheus/alerts.yml")) as f:
        shipped = yaml.safe_load(f)
    rule = next(dict(r) for g in shipped["groups"] for r in g["rules"] if r.get("alert") == "KafkaWorkerDead")
    rule["alert"] = FAST_ALERT
    rule["for"] = "3s"
    with open(path, "w") as f:
        yaml.safe_dump({"groups": [{"name": "fast-copy", "rules": [rule]}]}, f)


@unittest.skipUnless(os.path.exists(PROMETHEUS), "prometheus is not installed (Debian package `prometheus`)")
class UpUnderPrometheusTest(UpSession):

    def api(self, path, **query):
        url = "http://%s/api/v1/%s" % (self.prom_address, path)
        if query:
            url += "?" + urllib.parse.urlencode(query)
        with urllib.request.urlopen(url, timeout=5) as r:
            body = json.load(r)
        self.assertEqual(body["status"], "success", body)
        return body["data"]

    def targets(self):
        """{process label: active target} as Prometheus sees them."""
        return {t["labels"]["process"]: t for t in self.api("targets", state="active")["activeTargets"]}

    def alerts(self, name, process=None):
        """Active alerts (pending or firing) of rule `name`, for one process if given: on a
        loaded machine another target may miss a scrape now and then."""
        return [a for a in self.api("alerts")["alerts"] if a["labels"]["alertname"] == name
                and process in (None, a["labels"].get("process"))]

    def target_up(self, process, port):
        t = self.targets().get(process)
        return t and t["health"] == "up" and t["labels"]["instance"] == "127.0.0.1:%d" % port

    def start_prometheus(self):
        rules = os.path.join(self.tmp, "fast-rules.yml")
        fast_worker_dead_rules(rules)
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "1s"},
            "rule_files": [os.path.join(REPO_ROOT, "deploy/prometheus/alerts.yml"), rules],
            "scrape_configs": [{
                "job_name": "sluice",
                "file_sd_configs": [{"files": [os.path.join(self.data, "prometheus", "targets.json")],
                                     "refresh_interval": "1s"}],
            }],
        }
        path = os.path.join(self.tmp, "prometheus.yml")
        with open(path, "w") as f:
            yaml.safe_dump(config, f)
        self.prom_address = "127.0.0.1:%d" % free_port()
        self.prometheus = subprocess.Popen(
            [PROMETHEUS, "--config.file", path, "--storage.tsdb.path", os.path.join(self.tmp, "tsdb"),
             "--web.listen-address", self.prom_address],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.tmp, "prometheus.log"), "w"))
        self.children.append(self.prometheus)

    # ---- the test ----------------------------------------------------------------------

    def test_restarts_keep_targets_and_worker_dead_fires_only_for_a_stage_left_down(self):
        self.start_up("--rate", "20", "--bad-share", "0", "--drain-timeout", "15")
        self.start_prometheus()
        wait_until(lambda: {"broker", "ingest", "download", "result"} <= set(self.processes()), 60, 0.5,
                   "the process table")
        ports = {name: int(p["metrics"].rsplit(":", 1)[1])
                 for name, p in self.processes().items() if p["metrics"]}
        self.assertEqual(set(ports), {"broker", "ingest", "download", "result", "exporter"})

        # Every process is discovered, with labels saying what it is.
        wait_until(lambda: all(self.target_up(n, p) for n, p in ports.items()), 60, 0.5, "every target up")
        labels = {n: t["labels"] for n, t in self.targets().items()}
        self.assertEqual(labels["broker"]["role"], "broker")
        self.assertEqual(labels["download"]["role"], "stage")
        self.assertEqual(labels["download"]["stage"], "download")
        self.assertEqual(labels["download"]["replica"], "1")
        self.assertEqual(labels["download"]["pipeline"], "claims")
        self.assertEqual(labels["download"]["job"], "sluice")
        broker_up = self.api("query", query='sluice_broker_up{role="broker"}')["result"]
        self.assertEqual([r["value"][1] for r in broker_up], ["1"])

        # SIGKILL a stage: the supervisor restarts it on the same port; the shipped rule
        # (for: 2m) may go pending, never fires, and is gone once the target is up again.
        old_pid = self.processes()["download"]["pid"]
        os.kill(old_pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while not (self.processes()["download"]["pid"] not in (old_pid, -1)
                   and self.target_up("download", ports["download"])):
            self.assertFalse([a for a in self.alerts("KafkaWorkerDead") if a["state"] == "firing"])
            self.assertLess(time.monotonic(), deadline, "download restarted and scraped again")
            time.sleep(0.3)
        self.assertEqual(self.processes()["download"]["metrics"], "127.0.0.1:%d" % ports["download"])
        wait_until(lambda: not self.alerts("KafkaWorkerDead", "download") and not self.api(
            "query", query='up{job="sluice",process="download"} == 0')["result"], 15, 0.5,
            "KafkaWorkerDead to be gone for download after the restart")

        # `sluice stop` leaves it down: up == 0 at its address, and the fast copy fires.
        stop = self.sluice("stop", "download", "--data-dir", self.data, "--timeout", "60")
        self.assertEqual(stop.returncode, 0, stop.stdout + stop.stderr)

        def fast_firing_for_download():
            return [a for a in self.alerts(FAST_ALERT, "download") if a["state"] == "firing"]
        firing = wait_until(fast_firing_for_download, 30, 0.5, FAST_ALERT + " firing for the stopped stage")
        self.assertEqual(firing[0]["labels"]["instance"], "127.0.0.1:%d" % ports["download"])
        self.assertEqual(self.api("query", query='up{process="download"}')["result"][0]["value"][1], "0")

        # `sluice start`: the same target comes back and the alert resolves by itself.
        start = self.sluice("start", "download", "--data-dir", self.data, "--timeout", "60")
        self.assertEqual(start.returncode, 0, start.stdout + start.stderr)
        wait_until(lambda: self.target_up("download", ports["download"]), 20, 0.5, "download scraped again")
        wait_until(lambda: not self.alerts(FAST_ALERT, "download") and not self.alerts("KafkaWorkerDead", "download"),
                   15, 0.5,
                   "the alerts to resolve after `sluice start`")

        self.up.send_signal(signal.SIGINT)
        self.up.wait(timeout=120)
        self.assertEqual(self.up.returncode, 0, self.up_err()[-3000:])


if __name__ == "__main__":
    unittest.main()
