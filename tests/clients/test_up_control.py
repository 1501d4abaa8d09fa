"""An operator's handles on a running `sluice up` (docs/up.md): fixed admin
ports that survive a SIGKILL, the Prometheus targets file and the process table
that name them, `sluice stop|start STAGE` holding a stage down, `sluice restart`
returning once the new process is ready, the progress line naming paused and
stopped stages, and JSON-lines logs in which every line parses."""

import glob
import json
import os
import re
import signal
import socket
import subprocess
import time
import unittest
import urllib.request

from broker import REPO_ROOT, sluice_bin, wait_until
from up_session import UpSession


def http_status(address, path):
    try:
        with urllib.request.urlopen("http://%s%s" % (address, path), timeout=3) as r:
            return r.status
    except OSError:
        return None


class UpControlTest(UpSession):

    def ps_rows(self):
        lines = self.sluice("ps", "--data-dir", self.data).stdout.splitlines()
        if not lines or not lines[0].startswith("NAME"):
            return {}
        header = lines[0].split()
        return {row["NAME"]: row for row in (dict(zip(header, l.split())) for l in lines[1:])}

    def all_ready(self):
        rows = self.ps_rows()
        stages = [r for r in rows.values() if r["STAGE"] != "-"]
        return len(stages) == 4 and all(r["STATE"] == "running" and r["READY"] == "ready" for r in stages)

    def test_a_busy_admin_port_is_named_before_anything_starts(self):
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            run = subprocess.run([sluice_bin(), "up", "examples/claims-attachments", "--data-dir", self.data,
                                  "--port", "0", "--admin-base-port", str(port)],
                                 cwd=REPO_ROOT, env=self.env, capture_output=True, text=True, timeout=60)
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("admin port %d (for the broker's /metrics) is not free" % port, run.stderr)
        self.assertIn("--admin-base-port", run.stderr)
        self.assertFalse(os.path.exists(self.data), "nothing was started or created")

    def test_ports_targets_stop_start_restart_progress_and_json_logs(self):
        self.start_up("--rate", "20", "--replicas", "download=2", "--drain-timeout", "20")
        wait_until(self.all_ready, 90, 0.5, "every stage process running and ready")
        table = self.processes()

        # The targets file: one group per process, at the addresses of the process table.
        with open(os.path.join(self.data, "prometheus", "targets.json")) as f:
            groups = json.load(f)
        by_process = {g["labels"]["process"]: g for g in groups}
        self.assertEqual(set(by_process), {"broker", "ingest", "download#1", "download#2", "result", "exporter"})
        for name, group in by_process.items():
            self.assertEqual(group["targets"], [table[name]["metrics"]])
            self.assertEqual(group["labels"]["pipeline"], "claims")
        self.assertEqual(by_process["download#2"]["labels"],
                         {"role": "stage", "pipeline": "claims", "process": "download#2", "stage": "download",
                          "replica": "2"})
        self.assertEqual(by_process["broker"]["labels"]["role"], "broker")
        self.assertEqual(http_status(table["broker"]["metrics"], "/metrics"), 200)
        self.assertEqual(len({g["targets"][0] for g in groups}), 6, "six distinct ports")

        # The exporter serves the incident log's gauges, and follows the log on every scrape.
        self.assertEqual(by_process["exporter"]["labels"],
                         {"role": "exporter", "pipeline": "claims", "process": "exporter"})

        def open_incidents():
            page = urllib.request.urlopen("http://%s/metrics" % table["exporter"]["metrics"], timeout=3).read()
            m = re.search(rb'^sluice_incidents_open\{severity="SEV-2"\} (\S+)$', page, re.M)
            return m and float(m.group(1))
        self.assertEqual(open_incidents(), 0.0)
        r = self.sluice("incident", "open", "exporter test", "--data-dir", self.data, "--severity", "SEV-2")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(open_incidents(), 1.0)
        self.assertNotIn(b"sluice_group_lag", urllib.request.urlopen(
            "http://%s/metrics" % table["exporter"]["metrics"], timeout=3).read(),
            "the built-in broker exports lag itself: the exporter runs with --no-lag")

        # SIGKILL: the supervisor restarts the process at the same admin port.
        os.kill(table["download#2"]["pid"], signal.SIGKILL)
        wait_until(lambda: self.ps_rows().get("download#2", {}).get("RESTARTS") == "1" and self.all_ready(),
                   60, 0.5, "download#2 restarted")
        self.assertEqual(self.processes()["download#2"]["admin"], table["download#2"]["admin"])
        self.assertEqual(http_status(table["download#2"]["admin"], "/readyz"), 200)
        with open(os.path.join(self.data, "prometheus", "targets.json")) as f:
            self.assertEqual(json.load(f), groups, "the targets file names the same targets")

        # `restart` returns once the new process is ready.
        r = self.sluice("restart", "result", "--data-dir", self.data, "--timeout", "60")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("stage result restarted and ready", r.stdout)
        self.assertNotEqual(self.processes()["result"]["pid"], table["result"]["pid"])
        self.assertEqual(http_status(table["result"]["admin"], "/readyz"), 200)

        # Without --admin or --data-dir, `status` run where `sluice up` keeps ./sluice-data reaches
        # the stage processes of its process table, not port 9464 (the broker under `sluice up`).
        os.symlink(self.data, os.path.join(self.tmp, "sluice-data"))
        env = {k: v for k, v in self.env.items() if k not in ("SLUICE_ADMIN", "SLUICE_DATA_DIR", "SLUICE_CONFIG")}
        env["XDG_CONFIG_HOME"] = os.path.join(self.tmp, "no-profile")
        r = subprocess.run([sluice_bin(), "status", "--json"], cwd=self.tmp, env=env, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(sorted(s["process"] for s in json.loads(r.stdout)),
                         ["download#1", "download#2", "ingest", "result"])

        # Paused stages show on the progress line (one line every 5 s in a log), and the lag,
        # taken from the broker, keeps growing while the source sends (the stages' own
        # gauges would freeze). Every stage is paused so that none drains meanwhile.
        r = self.sluice("pause", "--data-dir", self.data)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

        def paused_lags():
            return [int(m) for m in re.findall(
                r"\] events .*\| lag (\d+) \|.*\| paused download,ingest,result$", self.up_err(), re.M)]
        # The first lines may come while work taken before the pause still finishes and commits.
        lags = wait_until(lambda: len(paused_lags()) >= 4 and paused_lags(), 50, 0.5,
                          "four progress lines naming the paused stages")
        self.assertGreater(lags[3], lags[2], "lag seen from the broker grows while every stage is paused: %s"
                           % lags)
        r = self.sluice("resume", "--data-dir", self.data)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

        # `stop` holds both download processes down: not restarted, "stopped" (not DEAD) in ps.
        r = self.sluice("stop", "download", "--data-dir", self.data, "--timeout", "90")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        time.sleep(2)  # a supervisor that restarted them would have done so by now
        rows = self.ps_rows()
        self.assertEqual([rows[n]["STATE"] for n in ("download#1", "download#2")], ["stopped", "stopped"])
        ps = self.sluice("ps", "--data-dir", self.data)
        self.assertEqual(ps.returncode, 0, "a stopped stage is not a dead one: " + ps.stdout)
        r = self.sluice("restart", "download", "--data-dir", self.data)
        self.assertEqual(r.returncode, 1)
        self.assertIn("stage 'download' is stopped; `sluice start download", r.stderr)
        wait_until(lambda: re.search(r"\] events .*\| stopped download", self.up_err()), 20, 0.5,
                   "a progress line naming the stopped stage")
        self.assertEqual(self.sluice("stop", "nosuch", "--data-dir", self.data).returncode, 1)

        r = self.sluice("start", "download", "--data-dir", self.data, "--timeout", "60")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("stage download started and ready", r.stdout)
        self.assertTrue(self.all_ready())
        self.assertEqual(self.processes()["download#1"]["admin"], table["download#1"]["admin"])

        self.up.send_signal(signal.SIGINT)
        self.up.wait(timeout=120)

        # Every line of every process's log is a JSON object; stage lines name their process.
        logs_files = sorted(glob.glob(os.path.join(self.data, "logs", "*.log")))
        self.assertEqual([os.path.basename(p) for p in logs_files],
                         ["broker.log", "demo-source.log", "download-1.log", "download-2.log", "exporter.log",
                          "ingest-1.log", "result-1.log"])
        for path in logs_files:
            with open(path) as f:
                lines = f.read().splitlines()
            self.assertTrue(lines, path)
            for line in lines:
                event = json.loads(line)
                self.assertLessEqual({"ts", "level", "component", "msg"}, set(event), line)
                self.assertRegex(event["ts"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            if "download-2" in path:
                self.assertEqual({json.loads(l).get("process") for l in lines}, {"download#2"})
                self.assertEqual({json.loads(l).get("stage") for l in lines}, {"download"})

        # `sluice logs` reads them back: one stage's replicas, and a summary that accounts for every line.
        def logs(*args):
            r = subprocess.run([sluice_bin(), "logs", "--data-dir", self.data, "--json"] + list(args),
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            return r.stdout
        shown = [json.loads(l) for l in logs("--stage", "download").splitlines()]
        self.assertEqual({l["process"] for l in shown}, {"download#1", "download#2"})
        self.assertEqual([l["ts_ms"] for l in shown], sorted(l["ts_ms"] for l in shown))
        total = 0
        for path in logs_files:
            with open(path) as f:
                total += len(f.read().splitlines())
        summary = json.loads(logs("--summary", "--level", "debug"))
        self.assertEqual(sum(row["count"] for row in summary), total)
        self.assertEqual(len(logs("-n", "3").splitlines()), 3)


if __name__ == "__main__":
    unittest.main()
