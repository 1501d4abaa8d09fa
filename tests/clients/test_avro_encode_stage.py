"""`avro-encode` end to end: a real `sluice broker` and `sluice registry`, JSON ticks
through one `sluice run` of three stages — avro-encode (registers the tick schema under
its subject), avro-decode, and a table sink with decimal, timestamp and date columns.
confluent-kafka's AvroDeserializer (PyPI venv) reads what avro-encode wrote as the
same values; avro-decode gives back the very JSON that went in; a tick that does not
fit the schema goes to the DLQ naming the field; and DuckDB (an independent reader)
reads the table's price as DECIMAL(12,4) and its timestamps as TIMESTAMP WITH TIME
ZONE with the ticks' values."""

import json
import os
import subprocess
import unittest
import uuid

import broker  # noqa: F401
import stage_fixture
from lake_tables import describe_table, duckdb, read_parquet_sql
from registry_process import RegistryProcess

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
VENV_PYTHON = os.path.join(REPO_ROOT, ".cache", "pyclients", "venv", "bin", "python")
N = 12

SCHEMA = {"type": "record", "name": "Tick", "namespace": "asx", "fields": [
    {"name": "symbol", "type": "string"},
    {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 4}},
    {"name": "exchange_timestamp", "type": {"type": "long", "logicalType": "timestamp-micros"}},
    {"name": "ingested", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "trade_date", "type": {"type": "int", "logicalType": "date"}},
    {"name": "message_id", "type": {"type": "string", "logicalType": "uuid"}},
    {"name": "volume", "type": ["null", "long"], "default": None}]}
BASE_US = 1_767_607_200_000_000  # 2026-01-05T10:00:00Z


def tick(i):
    """Tick i as JSON text in the form avro-decode writes (schema field order, no spaces)."""
    return json.dumps({"symbol": "BHP", "price": "%d.%04d" % (45 + i, 3 * i + 1),
                       "exchange_timestamp": "2026-01-05T10:00:00.%06dZ" % (i + 1),
                       "ingested": "2026-01-05T10:00:01.%03dZ" % (i + 1), "trade_date": "2026-01-05",
                       "message_id": str(uuid.UUID(int=i + 1)), "volume": None if i % 4 == 0 else 100 * i},
                      separators=(",", ":"))


def setUpModule():
    subprocess.run([os.path.join(REPO_ROOT, "scripts", "install-py-clients.sh")], check=True,
                   timeout=900)


class AvroEncodeStageTest(stage_fixture.OneStageTest):
    def setUp(self):
        super().setUp()
        self.registry = RegistryProcess(self.broker.bootstrap, self.tmp).start()

    def tearDown(self):
        self.registry.stop()
        super().tearDown()

    def pipeline(self, avro, decoded, lake):
        schema = os.path.join(self.tmp, "tick.avsc")
        with open(schema, "w") as f:
            json.dump(SCHEMA, f)
        path = os.path.join(self.tmp, "pipeline.yaml")
        with open(path, "w") as f:
            f.write(f"""pipeline: avro-encode
bootstrap: {self.broker.bootstrap}
stages:
  - name: encode
    input: {self.input}
    outputs: [{avro}]
    processor: avro-encode
    options:
      registry: {self.registry.url}
      subject: {avro}-value
      schema: {schema}
  - name: decode
    input: {avro}
    outputs: [{decoded}]
    processor: avro-decode
    options:
      registry: {self.registry.url}
  - name: sink
    input: {decoded}
    processor: table-sink
    options:
      store: {lake}
      table: tables/ticks
      columns:
        symbol: string not null
        price: decimal(12,4) not null
        exchange_timestamp: timestamp not null
        ingested: timestamp
        trade_date: date
        message_id: string
        volume: long
      file_max_rows: {N}
      flush_interval_ms: 200ms
""")
        return path

    def test_ticks_round_trip_through_avro_and_land_in_a_typed_table(self):
        avro, decoded = broker.unique_name("avro"), broker.unique_name("json")
        lake = os.path.join(self.tmp, "lake")
        ticks = [tick(i) for i in range(N)]
        bad = tick(N).replace('"price":"%d.%04d"' % (45 + N, 3 * N + 1), '"price":"1.23456"')
        self.produce(ticks + [bad])
        self.start_stage(self.pipeline(avro, decoded, lake))

        # avro-decode gives back the JSON that went in.
        out = stage_fixture.read_topic(self.broker.bootstrap, decoded, N)
        self.assertEqual(sorted(m.value().decode() for m in out), sorted(ticks))

        # confluent-kafka's AvroDeserializer reads what avro-encode wrote.
        written = stage_fixture.read_topic(self.broker.bootstrap, avro, N)
        probe = subprocess.run([VENV_PYTHON, os.path.join(HERE, "avro_encode_probe.py"),
                                self.registry.url, avro],
                               input="".join(m.value().hex() + "\n" for m in written),
                               capture_output=True, text=True, timeout=120, cwd=HERE)
        self.assertEqual(probe.returncode, 0, probe.stderr)
        seen = sorted(json.loads(probe.stdout), key=lambda t: t["exchange_timestamp"])
        self.assertEqual(len(seen), N)
        for i, t in enumerate(seen):
            want = json.loads(ticks[i])
            self.assertEqual(t["price"], want["price"])
            self.assertEqual(t["exchange_timestamp"], BASE_US + i + 1)
            self.assertEqual(t["ingested"], BASE_US + 1_000_000 + (i + 1) * 1000)
            self.assertEqual((t["trade_date"], t["message_id"], t["volume"]),
                             (want["trade_date"], want["message_id"], want["volume"]))

        # The tick whose price has five fraction digits is in the DLQ, naming the field.
        dlq = stage_fixture.read_topic(self.broker.bootstrap, self.input + ".dlq", 1)
        reasons = [dict(m.headers() or [])["sluice.error.message"].decode() for m in dlq]
        self.assertEqual(len(reasons), 1, reasons)
        self.assertIn("$.price", reasons[0])
        self.assertIn("decimal", reasons[0])

        # DuckDB reads the table's columns with the Avro logical types' Parquet types.
        described = broker.wait_until(
            lambda: (lambda d: d if d and d.get("records", 0) >= N else None)(describe_table(lake, "tables/ticks")),
            60, message="the table to hold %d rows" % N)
        rows = duckdb("SELECT typeof(price) AS pt, CAST(price AS VARCHAR) AS price, typeof(exchange_timestamp) AS tt,"
                      " CAST(epoch_us(exchange_timestamp) AS VARCHAR) AS us, CAST(epoch_ms(ingested) AS VARCHAR) AS ms,"
                      " CAST(trade_date AS VARCHAR) AS day FROM %s ORDER BY exchange_timestamp"
                      % read_parquet_sql(lake, "tables/ticks", described))
        self.assertEqual(len(rows), N)
        self.assertEqual({r["pt"] for r in rows}, {"DECIMAL(12,4)"})
        self.assertEqual({r["tt"] for r in rows}, {"TIMESTAMP WITH TIME ZONE"})
        for i, r in enumerate(rows):
            self.assertEqual(r["price"], json.loads(ticks[i])["price"])
            self.assertEqual(int(r["us"]), BASE_US + i + 1)
            self.assertEqual(int(r["ms"]), (BASE_US + 1_000_000) // 1000 + i + 1)
            self.assertEqual(r["day"], "2026-01-05")


if __name__ == "__main__":
    unittest.main()
