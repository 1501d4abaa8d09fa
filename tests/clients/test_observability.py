"""Every metric the Grafana dashboards (deploy/grafana/dashboards/*.json) and the
alert rules (deploy/prometheus/alerts.yml) query is exported by a running pipeline.

The test runs the claim-attachment example for real: a `sluice broker` (with its
own /metrics: consumer-group lag seen from the broker), one
`sluice run examples/claims-attachments/pipeline.yaml` process with all three
stages (ingest -> download -> table sink, object store in a temp dir), a local
HTTP server the attachments are downloaded from, a few good claim events and one
malformed one. Once a row has landed in the table and the bad event in the DLQ,
it scrapes the stage's and the broker's /metrics and checks that

- every metric name used in a dashboard `expr` or an alert `expr` is a family on
  the page (`up` is Prometheus's own; `_bucket`/`_sum`/`_count` map to their
  histogram),
- every label a selector matches on (`name{label=...}`) is a label of that metric,
- every expression parses (promtool, dashboard variables substituted).

Without a pipeline (DashboardFilesTest): every queried metric is at least named in src/ (this
covers the metrics of stages the claim pipeline has none of), and every dashboard has its own
uid, the data source picker and a line in the runbook index.
"""

import functools
import glob
import http.server
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request

import yaml

import ck_helpers
from broker import REPO_ROOT, BrokerProcess, sluice_bin, stop_child, wait_until

DASHBOARD_DIR = os.path.join(REPO_ROOT, "deploy", "grafana", "dashboards")
ALERTS_FILE = os.path.join(REPO_ROOT, "deploy", "prometheus", "alerts.yml")
PIPELINE = "examples/claims-attachments/pipeline.yaml"  # relative to REPO_ROOT (its schema, to the file)
ADMIN_RE = re.compile(r"admin on http://127\.0\.0\.1:(\d+)")

# Labels Prometheus attaches to every scraped series (target labels), not the process.
SCRAPE_LABELS = {"instance", "job", "pipeline", "__name__"}
# Metrics that come from Prometheus itself, not from a sluice process.
PROMETHEUS_OWN = {"up"}
# Metrics of the incident log, served by the process that reads it (`sluice exporter`), not by
# a stage; tests/unit/cli_incident_log_test.cc checks their names and labels.
INCIDENT_LOG_METRICS = {"sluice_incident_overdue", "sluice_incidents_open"}
# Metrics of the window-aggregate processor, which the claim-attachment pipeline has no stage of;
# tests/unit/window_aggregate_test.cc checks their names and labels.
WINDOW_METRICS = {"sluice_window_emission_delay_seconds", "sluice_window_watermark_seconds",
                  "sluice_window_rows_total", "sluice_window_late_records_total"}
# Metrics of `sluice registry`, served on the registry's own port; test_schema_registry.py reads them.
REGISTRY_METRICS = {"schema_registry_compatibility_failures_total", "schema_registry_writer"}
# Metrics of the sequence-check processor, which the claim-attachment pipeline has no stage of;
# test_sequence_check_stage.py reads them from a running stage.
SEQUENCE_METRICS = {"sluice_sequence_ticks_total", "sluice_sequence_halted_keys"}
# The degradation controller's metrics (docs/degradation.md), which the market-data dashboard
# and the DegradationAggressive alert query: the level and parked series exist from the start
# (the live check sees them); transitions appear with the first change and the spill's with a
# spill dir, so tests/clients/test_degradation.py, tests/unit/degradation_test.cc and
# tests/lake/test_table_sink_spill.py read those.
DEGRADATION_METRICS = {"sluice_degradation_level", "sluice_degradation_transitions_total",
                       "sluice_degradation_parked_total", "sluice_degradation_spilled_bytes"}
DEGRADATION_METRICS_ON_USE = {"sluice_degradation_transitions_total", "sluice_degradation_spilled_bytes"}

PROMQL_WORDS = {
    # aggregation operators and modifiers
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
    "quantile", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
    "unless", "offset", "atan2", "inf", "nan",
}


# ---------------------------------------------------------------- expressions
def dashboard_exprs():
    """(where, expr) for every target of every panel (rows' nested panels too)."""
    out = []

    def walk(node, where):
        if isinstance(node, dict):
            if isinstance(node.get("expr"), str) and node["expr"].strip():
                out.append((where, node["expr"]))
            for k, v in node.items():
                walk(v, where + "/" + str(node.get("title", k)) if k == "targets" else where)
        elif isinstance(node, list):
            for v in node:
                walk(v, where)

    for path in sorted(glob.glob(os.path.join(DASHBOARD_DIR, "*.json"))):
        with open(path) as f:
            d = json.load(f)
        walk(d.get("panels", []), os.path.basename(path))
    return out


def alert_exprs():
    with open(ALERTS_FILE) as f:
        rules = yaml.safe_load(f)
    return [("alerts.yml/" + r.get("alert", r.get("record", "?")), r["expr"])
            for g in rules["groups"] for r in g["rules"]]


def substitute_variables(expr):
    """Grafana variables -> something PromQL parses."""
    expr = expr.replace("$__rate_interval", "5m").replace("$__interval", "1m").replace("$__range", "1h")
    return re.sub(r"\$\{?(\w+)\}?", "x", expr)


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_LABEL_LIST = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENT = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")


def selectors(expr):
    """[(metric name, [label names matched on])] for every vector selector in expr."""
    masked = _STRING.sub(lambda m: '"' + " " * (len(m.group(0)) - 2) + '"', expr)  # keep offsets
    masked = _LABEL_LIST.sub(lambda m: " " * len(m.group(0)), masked)
    masked = re.sub(r"\[[^\]]*\]", lambda m: " " * len(m.group(0)), masked)  # ranges, subqueries
    out = []
    pos = 0
    while True:
        m = _IDENT.search(masked, pos)
        if not m:
            break
        name, end = m.group(0), m.end()
        pos = end
        before = masked[m.start() - 1] if m.start() > 0 else " "
        if before.isdigit() or before == ".":  # part of a number such as 1e3 or 0.5
            continue
        rest = masked[end:].lstrip()
        if rest.startswith("(") or name.lower() in PROMQL_WORDS:
            continue  # a function or keyword
        labels = []
        if rest.startswith("{"):
            start = masked.index("{", end)
            close = masked.index("}", start)
            labels = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)", expr[start + 1:close])
            pos = close + 1
        out.append((name, labels))
    # `{__name__=~"..."}` selectors without a name are not used in our files.
    return out


# ---------------------------------------------------------------- exposition
def parse_exposition(text):
    """{family: {"type": t, "labels": set(label names)}} from Prometheus text format."""
    families = {}
    sample_re = re.compile(r"^([A-Za-z_:][A-Za-z0-9_:]*)(\{(.*)\})?\s+\S+")
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(None, 3)
            families.setdefault(name, {"type": kind.strip(), "labels": set(), "samples": 0})
            continue
        if not line or line.startswith("#"):
            continue
        m = sample_re.match(line)
        if not m:
            continue
        name = m.group(1)
        family = name
        for suffix in ("_bucket", "_sum", "_count"):
            base = name[: -len(suffix)]
            if name.endswith(suffix) and families.get(base, {}).get("type") == "histogram":
                family = base
        entry = families.setdefault(family, {"type": "untyped", "labels": set(), "samples": 0})
        entry["samples"] += 1
        if m.group(3):
            entry["labels"].update(re.findall(r'([A-Za-z_][A-Za-z0-9_]*)="', m.group(3)))
    return families


def resolve(name, families):
    """Family that exports `name` (histogram series map to their family), or None."""
    if name in families and families[name]["samples"]:
        return name
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix):
            base = name[: -len(suffix)]
            if families.get(base, {}).get("type") == "histogram" and families[base]["samples"]:
                return base
    return None


# ---------------------------------------------------------------- processes
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class ObservabilityTest(unittest.TestCase):
    """One pipeline run, scraped once, shared by the checks below."""

    page = None
    setup_error = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="sluice-observability-")
        cls.broker = None
        cls.stage = None
        cls.http = None
        try:
            cls._run_pipeline()
        except Exception:
            cls._cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls._cleanup()

    @classmethod
    def _cleanup(cls):
        stop_child(cls.stage, timeout=60)
        if cls.http is not None:
            cls.http.shutdown()
            cls.http.server_close()
        if cls.broker is not None:
            cls.broker.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def _log_tail(cls, n=40):
        try:
            with open(os.path.join(cls.tmp, "stage.log"), "rb") as f:
                return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-n:])
        except OSError:
            return ""

    @classmethod
    def _scrape(cls):
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % cls.admin_port, timeout=10) as r:
            return r.read().decode()

    @classmethod
    def _scrape_broker(cls):
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % cls.broker_admin_port, timeout=10) as r:
            return r.read().decode()

    @classmethod
    def _value(cls, page, name, **labels):
        total = None
        for line in page.splitlines():
            if line.startswith(name + "{") or line.startswith(name + " "):
                if all('%s="%s"' % (k, v) in line for k, v in labels.items()):
                    total = (total or 0.0) + float(line.rsplit(" ", 1)[1])
        return total

    @classmethod
    def _run_pipeline(cls):
        cls.broker = BrokerProcess(tmpdir=os.path.join(cls.tmp, "broker"), default_partitions=3,
                                   group_initial_rebalance_delay_ms=0, admin="127.0.0.1:0")
        cls.broker_admin_port = int(ADMIN_RE.search(cls.broker.ready_line).group(1))

        files = os.path.join(cls.tmp, "files")
        os.makedirs(files)
        with open(os.path.join(files, "a.pdf"), "wb") as f:
            f.write(b"%PDF-1.4\n% sluice observability test attachment\n%%EOF\n")
        cls.http = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=files))
        threading.Thread(target=cls.http.serve_forever, daemon=True).start()
        http_port = cls.http.server_address[1]

        lake = os.path.join(cls.tmp, "lake")
        env = dict(os.environ, SLUICE_BOOTSTRAP=cls.broker.bootstrap, SLUICE_LOG_FORMAT="json",
                   SLUICE_STAGE_DOWNLOAD_OPTIONS_STORE=lake, SLUICE_STAGE_RESULT_OPTIONS_STORE=lake)
        log = open(os.path.join(cls.tmp, "stage.log"), "ab")
        cls.stage = subprocess.Popen([sluice_bin(), "run", PIPELINE, "--admin", "127.0.0.1:0"], cwd=REPO_ROOT,
                                     stdout=subprocess.PIPE, stderr=log, text=True, env=env)
        log.close()
        line = cls.stage.stdout.readline()
        m = ADMIN_RE.search(line)
        if not m:
            raise AssertionError("`sluice run %s` did not start (exit %r): %r\n%s"
                                 % (PIPELINE, cls.stage.poll(), line, cls._log_tail()))
        cls.admin_port = int(m.group(1))
        threading.Thread(target=lambda: cls.stage.stdout.read(), daemon=True).start()

        events = []
        for i in range(3):
            claim = {"claim_id": "C-%d" % i, "event_type": "claim.submitted", "submitted_at": "2026-11-27T12:00:00Z",
                     "attachments": [{"url": "http://127.0.0.1:%d/a.pdf" % http_port,
                                      "content_type": "application/pdf"}]}
            events.append({"key": claim["claim_id"].encode(), "value": json.dumps(claim).encode()})
        events.append({"key": b"C-bad", "value": b'{"claim_id": "C-bad", "attachments": not json'})
        producer = ck_helpers.producer(cls.broker.bootstrap)
        for d in ck_helpers.produce_all(producer, "claims.events", events):
            if d.error is not None:
                raise AssertionError("producing claim events failed: %s" % d.error)

        def settled():
            if cls.stage.poll() is not None:
                raise AssertionError("the pipeline process exited with %r\n%s" % (cls.stage.poll(), cls._log_tail()))
            page = cls._scrape()
            rows = cls._value(page, "sluice_table_rows_written_total") or 0
            dlq = cls._value(page, "kafka_messages_produced_total", topic="claims.events.dlq") or 0
            lag_seen = "kafka_consumer_lag{" in page and "sluice_group_lag_seconds{" in cls._scrape_broker()
            return page if rows >= 1 and dlq >= 1 and lag_seen else None

        try:
            wait_until(settled, timeout=90, interval=0.5,
                       message="a table row (sluice_table_rows_written_total) and the bad event in claims.events.dlq")
        except AssertionError as e:
            raise AssertionError("%s\n--- stage log tail ---\n%s" % (e, cls._log_tail()))
        time.sleep(1.5)  # one more gauge refresh (lag, breakers, connectivity)
        cls.page = cls._scrape()
        cls.broker_page = cls._scrape_broker()
        cls.families = parse_exposition(cls.page + cls.broker_page)

        # The row is really in the table, as an operator would check it.
        desc = subprocess.run([sluice_bin(), "table", "describe", lake, "tables/attachments", "--json"],
                              capture_output=True, text=True, timeout=60)
        cls.table_describe = desc

    # ------------------------------------------------------------ the checks
    def all_exprs(self):
        exprs = dashboard_exprs() + alert_exprs()
        self.assertGreater(len([w for w, _ in exprs if w.startswith("alerts.yml/")]), 0)
        self.assertGreater(len([w for w, _ in exprs if not w.startswith("alerts.yml/")]), 0)
        return exprs

    def test_the_pipeline_really_ran(self):
        self.assertGreaterEqual(self._value(self.page, "sluice_table_rows_written_total"), 1)
        self.assertGreaterEqual(self._value(self.page, "kafka_processing_errors_total", stage="ingest",
                                            category="validation"), 1)
        self.assertEqual(self.table_describe.returncode, 0, self.table_describe.stderr)

    def test_every_queried_metric_is_exported(self):
        missing = {}
        used = set()
        for where, expr in self.all_exprs():
            for name, _ in selectors(substitute_variables(expr)):
                if name in PROMETHEUS_OWN or name in INCIDENT_LOG_METRICS or name in WINDOW_METRICS \
                        or name in REGISTRY_METRICS or name in SEQUENCE_METRICS \
                        or name in DEGRADATION_METRICS_ON_USE:
                    continue
                used.add(name)
                if resolve(name, self.families) is None:
                    missing.setdefault(name, []).append(where)
        self.assertFalse(missing, "queried but not exported by `sluice run %s` or `sluice broker`:\n%s\nexported: %s"
                         % (PIPELINE, "\n".join("  %s (%s)" % (k, ", ".join(sorted(set(v))))
                                                for k, v in sorted(missing.items())),
                            ", ".join(sorted(self.families))))
        # The extraction found the metrics we know the files use.
        for name in ("kafka_consumer_lag", "kafka_messages_produced_total", "kafka_processing_errors_total",
                     "kafka_processing_duration_seconds_bucket", "kafka_circuit_breaker_state",
                     "sluice_table_commits_total", "sluice_stage_up", "sluice_group_lag",
                     "sluice_group_lag_seconds", "sluice_broker_up", "sluice_broker_requests_total"):
            self.assertIn(name, used)

    def test_every_matched_label_exists_on_its_metric(self):
        wrong = []
        for where, expr in self.all_exprs():
            for name, labels in selectors(substitute_variables(expr)):
                family = resolve(name, self.families)
                if family is None or name in PROMETHEUS_OWN:
                    continue
                have = self.families[family]["labels"] | SCRAPE_LABELS
                if family != name:
                    have = have | {"le"}
                for label in labels:
                    if label not in have:
                        wrong.append("%s: %s{%s} (it has: %s)" % (where, name, label,
                                                                  ", ".join(sorted(self.families[family]["labels"]))))
        self.assertFalse(wrong, "selectors match on labels the metric does not have:\n" + "\n".join(wrong))

    def test_the_ones_the_alerts_rely_on_have_their_documented_values(self):
        # Error categories and DLQ topic naming the alert expressions assume.
        self.assertIsNotNone(self._value(self.page, "kafka_messages_produced_total", topic="claims.events.dlq"))
        self.assertIsNotNone(self._value(self.page, "kafka_messages_consumed_total", consumer_group="claims.download"))
        self.assertIsNotNone(self._value(self.page, "kafka_processing_duration_seconds_count", stage="download"))
        self.assertEqual(self._value(self.page, "sluice_stage_up", stage="download"), 1)
        for result in ("ok", "conflict", "error"):
            self.assertIsNotNone(self._value(self.page, "sluice_table_commits_total", result=result), result)

    def test_every_expression_parses(self):
        promtool = shutil.which("promtool")
        if not promtool:
            self.skipTest("promtool not installed (Debian package prometheus)")
        rules = {"groups": [{"name": "exprs", "rules": [
            {"record": "check:expr_%d" % i, "expr": substitute_variables(expr)}
            for i, (_, expr) in enumerate(self.all_exprs())]}]}
        path = os.path.join(self.tmp, "exprs.yml")
        with open(path, "w") as f:
            yaml.safe_dump(rules, f)
        r = subprocess.run([promtool, "check", "rules", path], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


RUNBOOK_DIR = os.path.join(REPO_ROOT, "docs", "runbooks")
RUNBOOK_URL_BASE = "https://github.com/sluice/sluice/blob/main/docs/runbooks/"
# The alerts of runbook seed 001, and the page each one's runbook is on.
SEED_ALERTS = {
    "KafkaConsumerLagHigh": "consumer-lag.md", "KafkaConsumerLagWarning": "consumer-lag.md",
    "KafkaConsumerNoPartitions": "consumer-lag.md", "KafkaDLQGrowthRapid": "dlq-management.md",
    "KafkaDLQGrowthWarning": "dlq-management.md", "KafkaDLQSizeHigh": "dlq-management.md",
    "KafkaCircuitBreakerOpen": "circuit-breaker-open.md", "KafkaCircuitBreakerHalfOpen": "circuit-breaker-open.md",
    "KafkaConsumerDisconnected": "circuit-breaker-open.md", "KafkaProducerDisconnected": "circuit-breaker-open.md",
    "KafkaErrorRateHigh": "incident-response.md", "KafkaDownloadFailureRateHigh": "incident-response.md",
    "KafkaDeltaWriteFailures": "incident-response.md", "KafkaWorkerDead": "incident-response.md",
    "KafkaProcessingLatencyHigh": "scaling-operations.md", "KafkaProcessingLatencyWarning": "scaling-operations.md",
    "KafkaThroughputLow": "scaling-operations.md",
}
# sluice's own alerts beyond the seed's (issue 15: broker, lag in time, degradation, flapping,
# incidents overdue in the incident log).
SLUICE_ALERTS = {
    "KafkaConsumerLagSecondsHigh": "consumer-lag.md", "KafkaStageDegraded": "consumer-lag.md",
    "KafkaCircuitBreakerFlapping": "circuit-breaker-open.md", "BrokerDown": "incident-response.md",
    "BrokerRequestErrors": "incident-response.md", "BrokerDiskSpaceLow": "scaling-operations.md",
    "BrokerDiskSpaceCritical": "scaling-operations.md",
    "IncidentResponseOverdue": "incident-response.md", "IncidentResponseOverdueWarning": "incident-response.md",
    "SluiceExporterDown": "incident-response.md", "SluiceStageStalled": "stage-stalled.md",
}
# The IoT pipeline's alerts (runbook seed 004's thresholds; issue 17).
IOT_ALERTS = {
    "WindowEmissionDelayHigh": "iot-pipeline.md", "IotThroughputLow": "iot-pipeline.md",
    "IotConsumerLagHigh": "iot-pipeline.md", "IotErrorRateHigh": "iot-pipeline.md",
}
# The schema registry's (seed 003 scenario 3; issue 19).
REGISTRY_ALERTS = {"SchemaRegistryCompatibilityFailures": "schema-registry.md"}
# The sequence-check stage's (seed 003: SequenceGapsHigh, DuplicateRateHigh; halted symbols).
SEQUENCE_ALERTS = {name: "market-data-sequence.md"
                   for name in ("SequenceGapsHigh", "DuplicateRateHigh", "SequenceSymbolHalted")}
# The market-ticks pipeline's (seed 003: ConsumerLagCritical, NoDataIngested, degradation >= AGGRESSIVE).
MARKET_ALERTS = {name: "market-data.md"
                 for name in ("ConsumerLagCritical", "NoDataIngested", "DegradationAggressive")}
ALERT_PAGES = dict(SEED_ALERTS, **SLUICE_ALERTS, **IOT_ALERTS, **REGISTRY_ALERTS, **SEQUENCE_ALERTS,
                   **MARKET_ALERTS)


def github_anchors(markdown):
    """The anchors GitHub generates for the headings of a markdown text."""
    anchors, seen, fenced = set(), {}, False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if fenced or not m:
            continue
        slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        anchors.add(slug if n == 0 else "%s-%d" % (slug, n))
    return anchors


class RunbookLinksTest(unittest.TestCase):
    """Every alert has a runbook section its runbook_url points at, and the runbooks' own links work."""

    def rules(self):
        with open(ALERTS_FILE) as f:
            return [r for g in yaml.safe_load(f)["groups"] for r in g["rules"]]

    def anchors(self, page):
        with open(os.path.join(RUNBOOK_DIR, page)) as f:
            return github_anchors(f.read())

    def test_the_seventeen_alerts_of_the_runbook_index_and_sluices_own(self):
        names = [r["alert"] for r in self.rules()]
        self.assertEqual(sorted(names), sorted(ALERT_PAGES))
        for r in self.rules():
            self.assertIn(r["labels"]["severity"], ("critical", "warning", "info"), r["alert"])
            for key in ("summary", "description", "runbook_url"):
                self.assertTrue(r["annotations"].get(key), "%s has no %s" % (r["alert"], key))

    def test_every_runbook_url_points_at_an_existing_section(self):
        for r in self.rules():
            url = r["annotations"]["runbook_url"]
            self.assertTrue(url.startswith(RUNBOOK_URL_BASE), url)
            page, _, anchor = url[len(RUNBOOK_URL_BASE):].partition("#")
            self.assertEqual(page, ALERT_PAGES[r["alert"]], r["alert"])
            self.assertEqual(anchor, r["alert"].lower(), r["alert"])
            self.assertIn(anchor, self.anchors(page), "%s: no heading for #%s in %s" % (r["alert"], anchor, page))

    def test_the_index_maps_every_alert(self):
        with open(os.path.join(RUNBOOK_DIR, "README.md")) as f:
            index = f.read()
        for name, page in ALERT_PAGES.items():
            self.assertRegex(index, r"`%s`[^\n]*\(%s#%s\)" % (name, re.escape(page), name.lower()))

    def test_relative_links_between_pages_resolve(self):
        broken = []
        for path in sorted(glob.glob(os.path.join(RUNBOOK_DIR, "*.md"))):
            with open(path) as f:
                text = f.read()
            for target in re.findall(r"\]\(([^)\s]+)\)", text):
                if re.match(r"[a-z]+://", target):
                    continue
                file_part, _, anchor = target.partition("#")
                dest = os.path.normpath(os.path.join(RUNBOOK_DIR, file_part)) if file_part else path
                if not os.path.exists(dest):
                    broken.append("%s: %s (no such file)" % (os.path.basename(path), target))
                elif anchor and dest.endswith(".md"):
                    with open(dest) as f:
                        if anchor not in github_anchors(f.read()):
                            broken.append("%s: %s (no such heading)" % (os.path.basename(path), target))
        self.assertFalse(broken, "\n".join(broken))


SOURCE_DIR = os.path.join(REPO_ROOT, "src")


class DashboardFilesTest(unittest.TestCase):
    """Without a running pipeline: what the dashboards and alerts query is named in sluice's source,
    and every dashboard follows the provisioning conventions (docs/runbooks/README.md#dashboards)."""

    @classmethod
    def setUpClass(cls):
        texts = []
        for root, _, files in os.walk(SOURCE_DIR):
            for name in files:
                if name.endswith((".cc", ".h")):
                    with open(os.path.join(root, name), encoding="utf-8", errors="replace") as f:
                        texts.append(f.read())
        cls.source = "\n".join(texts)
        cls.dashboards = {}
        for path in sorted(glob.glob(os.path.join(DASHBOARD_DIR, "*.json"))):
            with open(path) as f:
                cls.dashboards[os.path.basename(path)] = json.load(f)

    def test_every_queried_metric_is_named_in_the_source(self):
        # Covers the metrics the live check above cannot scrape from the claim pipeline
        # (sequence, registry, window, incident log): a misspelt name fails here.
        missing = {}
        for where, expr in dashboard_exprs() + alert_exprs():
            for name, _ in selectors(substitute_variables(expr)):
                if name in PROMETHEUS_OWN:
                    continue
                family = re.sub(r"_(bucket|sum|count)$", "", name)
                if '"%s"' % name not in self.source and '"%s"' % family not in self.source:
                    missing.setdefault(name, []).append(where)
        self.assertFalse(missing, "queried but no string \"NAME\" in src/:\n" + "\n".join(
            "  %s (%s)" % (k, ", ".join(sorted(set(v)))) for k, v in sorted(missing.items())))

    def test_the_market_data_dashboard_shows_every_degradation_metric(self):
        used = {name for where, expr in dashboard_exprs() if where.startswith("market-data.json/")
                for name, _ in selectors(substitute_variables(expr))}
        self.assertLessEqual(DEGRADATION_METRICS, used)

    def test_each_dashboard_has_its_own_uid_the_data_source_picker_and_an_index_entry(self):
        with open(os.path.join(RUNBOOK_DIR, "README.md")) as f:
            index = f.read()
        uids = [d["uid"] for d in self.dashboards.values()]
        self.assertEqual(len(uids), len(set(uids)), uids)
        for name, d in self.dashboards.items():
            self.assertTrue(d["uid"].startswith("sluice-"), name)
            self.assertIn("sluice", d["tags"], name)
            self.assertEqual(d["templating"]["list"][0]["name"], "DS_PROMETHEUS", name)
            self.assertTrue("(../../deploy/grafana/dashboards/%s)" % name in index,
                            "%s is not listed under Dashboards in docs/runbooks/README.md" % name)
            panels = [p for top in d["panels"] for p in [top] + top.get("panels", [])]
            ids = [p["id"] for p in panels]
            self.assertEqual(len(ids), len(set(ids)), "%s: panel ids repeat" % name)
            for p in panels:
                for node in [p] + p.get("targets", []):
                    if "datasource" in node:
                        self.assertEqual(node["datasource"], {"type": "prometheus", "uid": "${DS_PROMETHEUS}"},
                                         "%s / %s" % (name, p["title"]))


class SelectorExtractionTest(unittest.TestCase):
    """The metric-name extraction itself, on expressions of the kinds the files use."""

    def names(self, expr):
        return [n for n, _ in selectors(substitute_variables(expr))]

    def test_functions_keywords_label_lists_strings_and_durations_are_not_metrics(self):
        expr = ('sum by (stage) (rate(kafka_processing_errors_total{stage=~"$stage"}[5m])) / sum by (stage) '
                '(label_replace(rate(kafka_messages_consumed_total[5m]), "stage", "$1", "consumer_group", "(.*)"))'
                ' > 0.10 unless on (consumer_group) up{job="sluice"} == 0 or vector(0)')
        self.assertEqual(self.names(expr), ["kafka_processing_errors_total", "kafka_messages_consumed_total", "up"])

    def test_histograms_and_labels(self):
        sel = selectors('histogram_quantile(0.99, sum by (le) (rate(kafka_processing_duration_seconds_bucket'
                        '{stage="download", le!="1e3"}[$__rate_interval])))')
        self.assertEqual(sel, [("kafka_processing_duration_seconds_bucket", ["stage", "le"])])
        fams = parse_exposition("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n")
        self.assertEqual(resolve("h_bucket", fams), "h")
        self.assertEqual(resolve("h_count", fams), "h")
        self.assertIsNone(resolve("g_bucket", fams))


if __name__ == "__main__":
    unittest.main()
