"""confluent-kafka's AvroSerializer (PyPI, the venv of scripts/install-py-clients.sh)
writing ticks for the `avro-decode` stage test: N ticks with the seed's MarketTick
(version 1), then N with a compatible version 2 that adds an optional `bid` with a
default, each in Confluent's wire format through an idempotent producer, keyed
ASX.BHP. Prints one JSON line: the schema ids the serializer registered and
version 1's text (the stage's pinned reader). Exits 1
naming what failed. Driven by test_avro_decode_stage.py.

    python avro_decode_probe.py REGISTRY_URL BOOTSTRAP TOPIC N
"""

import json
import sys

from confluent_kafka import Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from schema_registry_probe import tick, tick_schema

DEADLINE_S = 60
BID = {"name": "bid", "type": ["null", "double"], "default": None}


def main(url, bootstrap, topic, n):
    registry = SchemaRegistryClient({"url": url})
    ctx = SerializationContext(topic, MessageField.VALUE)
    producer = Producer({"bootstrap.servers": bootstrap, "broker.address.family": "v4",
                         "enable.idempotence": True, "acks": "all"})
    failed = []
    ids = []
    for version, schema in enumerate([tick_schema(), tick_schema(BID)]):
        serialize = AvroSerializer(registry, schema)
        for i in range(n):
            value = tick(version * n + i)
            if version == 1:
                value["bid"] = 45.0
            data = serialize(value, ctx)
            if not ids or ids[-1] != int.from_bytes(data[1:5], "big"):
                ids.append(int.from_bytes(data[1:5], "big"))
            producer.produce(topic, key="ASX.BHP", value=data,
                             on_delivery=lambda err, _msg: err and failed.append(str(err)))
    producer.flush(DEADLINE_S)
    if failed or len(producer) > 0:
        print("avro_decode_probe: %d failed (%s), %d undelivered"
              % (len(failed), failed[:1], len(producer)), file=sys.stderr)
        sys.exit(1)
    print(json.dumps({"schema_ids": ids, "v1": tick_schema()}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
