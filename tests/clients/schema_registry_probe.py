"""confluent-kafka's Schema Registry client and Avro serde (PyPI, the venv of
scripts/install-py-clients.sh) against `sluice registry` and `sluice broker`: an
AvroSerializer registers the tick schema on first use and writes N ticks in Confluent's
wire format (magic 0, schema id, Avro) through an idempotent producer; an AvroDeserializer
reads them back through a consumer group, fetching the writer's schema by id. Then the
client registers a compatible second version, is refused an incompatible one (409), and
tests compatibility both ways. Prints one JSON line of what it saw; exits 1 naming what
failed. Driven by test_schema_registry.py.

    python schema_registry_probe.py REGISTRY_URL BOOTSTRAP TOPIC N
"""

import datetime
import json
import struct
import sys
import time

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

DEADLINE_S = 60
MICROS = {"type": "long", "logicalType": "timestamp-micros"}
FIELDS = [{"name": "exchange", "type": "string"}, {"name": "symbol", "type": "string"},
          {"name": "exchange_sequence_number", "type": "long"},
          {"name": "exchange_timestamp", "type": MICROS}, {"name": "price", "type": "double"},
          {"name": "volume", "type": "long"}, {"name": "message_id", "type": "string"},
          {"name": "ingestion_timestamp", "type": MICROS}]


def tick_schema(*extra):
    return json.dumps({"type": "record", "name": "MarketTick", "namespace": "com.k2.marketdata",
                       "fields": FIELDS + list(extra)})


def fail(what):
    print("schema_registry_probe: " + what, file=sys.stderr)
    sys.exit(1)


def tick(i):
    # timestamp-micros decode to datetimes; plain longs keep the comparison exact.
    return {"exchange": "ASX", "symbol": "BHP", "exchange_sequence_number": i,
            "exchange_timestamp": 1_700_000_000_000_000 + i, "price": 45.5 + i / 100,
            "volume": 100 * i, "message_id": "ASX.BHP.%d" % i,
            "ingestion_timestamp": 1_700_000_000_000_100 + i}


def same(a, b):
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

    def micros(v):  # exact: timestamp() would round through a float
        return (v - epoch) // datetime.timedelta(microseconds=1) if hasattr(v, "tzinfo") else v
    return {k: micros(v) for k, v in a.items()} == {k: micros(v) for k, v in b.items()}


def main(url, bootstrap, topic, n):
    base = {"bootstrap.servers": bootstrap, "broker.address.family": "v4"}
    admin = AdminClient(base)  # kept: a dropped client fails its own pending request
    admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(30)
    registry = SchemaRegistryClient({"url": url})
    ctx = SerializationContext(topic, MessageField.VALUE)
    serialize = AvroSerializer(registry, tick_schema())
    producer = Producer(dict(base, **{"enable.idempotence": True, "acks": "all"}))
    failed = []
    for i in range(n):
        producer.produce(topic, key="ASX.BHP", value=serialize(tick(i), ctx),
                         on_delivery=lambda err, _msg: err and failed.append(str(err)))
    producer.flush(DEADLINE_S)
    if failed or len(producer) > 0:
        fail("produce: %d failed (%s), %d undelivered" % (len(failed), failed[:1], len(producer)))

    deserialize = AvroDeserializer(registry)
    consumer = Consumer(dict(base, **{"group.id": topic + "-group", "auto.offset.reset": "earliest",
                                      "enable.auto.commit": False}))
    consumer.subscribe([topic])
    consumed, ids = 0, set()
    deadline = time.monotonic() + DEADLINE_S
    while consumed < n and time.monotonic() < deadline:
        m = consumer.poll(1.0)
        if m is None:
            continue
        if m.error():
            fail("consume: %s" % m.error())
        magic, schema_id = struct.unpack(">bI", m.value()[:5])
        if magic != 0:
            fail("record %d has magic byte %d, not 0" % (m.offset(), magic))
        ids.add(schema_id)
        value = deserialize(m.value(), ctx)
        if not same(value, tick(consumed)):
            fail("record %d decoded as %r, not %r" % (m.offset(), value, tick(consumed)))
        consumed += 1
    consumer.close()

    subject = topic + "-value"
    optional = {"name": "trade_condition", "type": ["null", "string"], "default": None}
    required = {"name": "trade_condition", "type": "string"}
    registry.register_schema(subject, Schema(tick_schema(optional), "AVRO"))
    refused = None
    try:
        registry.register_schema(subject, Schema(tick_schema(required, {"name": "x", "type": "int"}),
                                                 "AVRO"))
    except SchemaRegistryError as e:
        refused = e.http_status_code
    compatible = [registry.test_compatibility(subject, Schema(tick_schema(optional), "AVRO")),
                  registry.test_compatibility(subject, Schema(tick_schema(required), "AVRO"))]
    latest = registry.get_latest_version(subject)
    if json.loads(latest.schema.schema_str) != json.loads(tick_schema(optional)):
        fail("latest version is %s" % latest.schema.schema_str)
    print(json.dumps({"produced": n, "consumed": consumed, "schema_ids": sorted(ids),
                      "versions": registry.get_versions(subject), "refused": refused,
                      "compatible": compatible}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
