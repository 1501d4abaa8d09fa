"""`sluice up examples/market-ticks`: ASX ticks from the tick demo source
(rejects, gaps small and large, out-of-order and duplicate ticks, ticks outside
trading hours, > 10 % price jumps, sessions that restart the sequence) through one
chain stage (avro-decode, validate, sequence-check, quarantine-route) and a Delta table. The promise checked is the
summary's, against the source's manifest exactly: every tick is a table row, a
quarantine record, a parked tick (its symbol halted by a gap over 100) or a
dropped duplicate — and, independently, that the topics and the table hold
what the manifest says each tick should reach: every quarantine record with a
reason, a time and a severity, and every table file sorted by
(exchange_timestamp, exchange_sequence_number) as DuckDB reads it. The ticks travel
in Avro: `sluice up` runs `sluice registry` for the pipeline's declared schema, the
source writes Confluent's wire format (which confluent-kafka's AvroDeserializer
reads back) and tries one incompatible schema, which the registry refuses."""

import collections
import json
import os
import re
import signal
import subprocess
import unittest
import urllib.request

import stage_fixture
from broker import wait_until
from demo_env import FREE_PORTS
from lake_tables import describe_table, rows_per_file
from up_session import UpSession

TICKS = 3000
HERE = os.path.dirname(os.path.abspath(__file__))
VENV_PYTHON = os.path.join(os.path.dirname(os.path.dirname(HERE)), ".cache", "pyclients", "venv", "bin", "python")
OK = "OK: every tick is a table row, a quarantine record, a parked tick or a dropped duplicate"


class UpTicksTest(UpSession):

    PIPELINE = "examples/market-ticks"
    ENV = FREE_PORTS

    def validate(self, *args):
        return self.sluice("validate", self.PIPELINE, "--data-dir", self.data, *args, timeout=300)

    def manifest(self):
        with open(os.path.join(self.data, "manifest.jsonl")) as f:
            return [json.loads(line) for line in f if line.strip()]

    def test_every_tick_is_a_row_a_quarantine_record_parked_or_a_dropped_duplicate(self):
        # Short sessions (a reset every 600 ticks) and a large bad share, so every case occurs.
        up = self.start_up("--count", str(TICKS), "--rate", "1000", "--bad-share", "0.1",
                           "--source-flag", "seed=11", "--source-flag", "session_ticks=600",
                           "--source-flag", "session_date=2026-12-07", "--keep-running")
        # Drained once validate accounts for everything (it fails while ticks are in flight).
        wait_until(lambda: self.validate().returncode == 0, 240, 1.0, "`sluice validate` to pass")
        check = self.validate()
        self.assertIn(OK, check.stdout, check.stdout + check.stderr)
        figures = json.loads(self.validate("--json").stdout)
        bootstrap = self.processes()["broker"]["admin"]
        topics = {t["topic"]: t["partitions"] for t in json.loads(
            self.sluice("topics", "list", "--bootstrap", bootstrap, "--json").stdout)}
        self.assertEqual(topics["market.ticks.asx"], 100)
        quarantine = [json.loads(line) for line in self.sluice(
            "topics", "consume", "market.quarantine.asx", "--bootstrap", bootstrap).stdout.splitlines()]
        self.check_avro_input(bootstrap, self.processes()["registry"]["admin"])
        # The sink's AGGRESSIVE spill lives in the data dir, not beside the pipeline file.
        self.assertTrue(os.path.isdir(os.path.join(self.data, "spill")), os.listdir(self.data))
        self.assertFalse(os.path.exists(os.path.join(os.path.dirname(os.path.dirname(HERE)),
                                                     self.PIPELINE, "spill")))
        up.send_signal(signal.SIGINT)
        self.assertEqual(up.wait(180), 0, self.up_out() + self.up_err()[-4000:])
        self.assertIn(OK, self.up_out(), self.up_out())
        self.assertRegex(self.up_out(), r"ticks in:\s+%d " % TICKS)

        manifest = self.manifest()
        self.assertEqual(len(manifest), TICKS)
        expected = collections.Counter(m["expected"] for m in manifest)
        cases = collections.Counter(m["case"] for m in manifest)
        for case in ("reset", "duplicate", "out_of_order", "small_gap", "large_gap", "outside_hours",
                     "bad_price", "bad_volume", "undecodable", "price_jump"):
            self.assertGreater(cases[case], 0, "the mix has %s ticks: %s" % (case, cases))
        self.assertGreater(expected["parked"], 0, "a gap over 100 halted a symbol: %s" % expected)
        busiest = collections.Counter(m["key"] for m in manifest).most_common(2)
        self.assertEqual(busiest[0][0], "ASX.BHP")
        self.assertGreater(busiest[0][1], 5 * busiest[1][1], busiest)

        self.assertTrue(figures["ok"], figures)
        self.assertEqual(figures["rows"], expected["row"])
        self.assertEqual(figures["rejected"] + figures["quarantined"], expected["quarantine"])
        self.assertEqual(figures["duplicates"], expected["duplicate"])
        self.assertEqual(figures["parked"], expected["parked"])
        # Per reason and severity, as the manifest says (rejects are the validator's DLQ records).
        reasons = collections.Counter(m["reason"] for m in manifest if m["expected"] == "quarantine")
        self.assertEqual(figures["quarantine_reasons"].get("validation", 0), reasons["validation"])
        self.assertGreater(reasons["price_jump"], 0, "some 15 %% jumps are quarantined: %s" % reasons)
        for reason in ("small_gap", "large_gap", "out_of_order", "outside_trading_hours", "price_jump"):
            self.assertEqual(figures["quarantine_reasons"].get(reason, 0), reasons[reason], reason)
        severities = collections.Counter(m["severity"] for m in manifest if m["expected"] == "quarantine")
        self.assertEqual(figures["severities"], dict(severities))

        # The quarantine holds each tick as sent, keyed by symbol, with its reason and severity.
        sent = {(m["key"], m["sequence"], m["reason"]) for m in manifest if m["expected"] == "quarantine"}
        self.assertEqual(len(quarantine), expected["quarantine"])
        # Every record — the route's and the validator's DLQ records alike — says its reason, time
        # and severity.
        for q in quarantine:
            headers = dict((h["key"], h["value"]) if isinstance(h, dict) else tuple(h) for h in q["headers"])
            self.assertIn("sluice.error.category", headers, q)
            self.assertRegex(headers.get("sluice.first_failed_at", ""), r"^\d{13}$", q)
            self.assertIn(headers.get("sluice.sequence.severity"), ("WARNING", "ERROR"), q)
            # One stage, `check`, chains the validator, sequence-check and the route: the
            # runtime's dead letters (the validator's rejects) are the ones counting attempts.
            self.assertEqual(headers.get("sluice.stage"), "check", q)
            dead_letter = "sluice.attempts" in headers
            if dead_letter:
                self.assertEqual(headers["sluice.error.category"], "validation", q)
                self.assertEqual(headers["sluice.sequence.severity"], "ERROR", q)
            if headers["sluice.error.category"] == "price_jump":
                self.assertRegex(headers["sluice.error.message"], r"^price jump: [+-]\d+\.\d% from ", q)
            if not dead_letter:
                tick = json.loads(q["value"])
                self.assertEqual(q["key"], "ASX." + tick["symbol"])
                self.assertIn((q["key"], tick["exchange_sequence_number"], headers["sluice.error.category"]), sent)

        table = describe_table(os.path.join(self.data, "data", "lake"), "tables/ticks", env=self.env)
        self.assertEqual(table["partition_columns"], ["day", "exchange"])
        self.assertEqual(table["records"], expected["row"])
        self.assertTrue(all(re.match(r"day=\d{4}-\d{2}-\d{2}/exchange=ASX/", f) for f in table["live_files"]),
                        table["live_files"][:3])
        # sort_by: each file's rows in (exchange_timestamp, exchange_sequence_number) order.
        files = rows_per_file(os.path.join(self.data, "data", "lake"), "tables/ticks", table,
                              ["epoch_us(exchange_timestamp)", "exchange_sequence_number"])
        self.assertEqual(sum(len(rows) for rows in files.values()), expected["row"])
        for name, rows in files.items():
            keys = [(int(ts), int(seq)) for ts, seq in rows]
            self.assertEqual(keys, sorted(keys), name)


    def check_avro_input(self, bootstrap, registry):
        """The input topic holds Avro ticks an independent reader decodes, and the
        registry refused the one incompatible schema the source tried."""
        with urllib.request.urlopen(registry + "/subjects/market.ticks.asx-value/versions") as r:
            self.assertEqual(json.loads(r.read()), [1], "the incompatible version was not registered")
        with urllib.request.urlopen(registry + "/metrics") as r:
            self.assertRegex(r.read().decode(), r"schema_registry_compatibility_failures_total(\{[^}]*\})? 1(\.0)?\n")
        values = [m.value() for m in stage_fixture.read_topic(bootstrap, "market.ticks.asx", 300)]
        # Magic byte 0, then schema id 1 (the undecodable ticks are bytes of their own).
        framed = [v for v in values if v[:5] == b"\0\0\0\0\1"]
        self.assertGreater(len(framed), 0.8 * len(values), "most ticks are in Confluent's wire format")
        probe = subprocess.run([VENV_PYTHON, os.path.join(HERE, "avro_encode_probe.py"), registry,
                                "market.ticks.asx"], input="".join(v.hex() + "\n" for v in framed),
                               capture_output=True, text=True, timeout=120, cwd=HERE)
        self.assertEqual(probe.returncode, 0, probe.stderr)
        sent = {(m["key"], m["sequence"]) for m in self.manifest()}
        for tick in json.loads(probe.stdout):
            self.assertIn(("ASX." + tick["symbol"], tick["exchange_sequence_number"]), sent, tick)
            self.assertGreater(tick["exchange_timestamp"], 1_700_000_000_000_000, "micros since 1970")


if __name__ == "__main__":
    unittest.main()
