"""confluent-kafka's AvroDeserializer (PyPI, the venv of scripts/install-py-clients.sh)
reading values the `avro-encode` stage wrote: one hex-encoded record value per line on
stdin, each deserialized with the writer schema fetched from the registry by the id in
its Confluent header. Prints one JSON list of the records, with the Python values
fastavro gives made comparable: decimals as their text, timestamps as microseconds
since the epoch, dates as YYYY-MM-DD, UUIDs as text. Exits 1 naming what failed.
Driven by test_avro_encode_stage.py.

    python avro_encode_probe.py REGISTRY_URL TOPIC < values.hex
"""

import datetime
import decimal
import json
import sys
import uuid

from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def plain(v):
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, datetime.datetime):  # exact: timestamp() would round through a float
        return (v - EPOCH) // datetime.timedelta(microseconds=1)
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, uuid.UUID):
        return str(v)
    return v


def main(url, topic):
    deserialize = AvroDeserializer(SchemaRegistryClient({"url": url}))
    ctx = SerializationContext(topic, MessageField.VALUE)
    out = []
    for line in sys.stdin:
        if line.strip():
            record = deserialize(bytes.fromhex(line.strip()), ctx)
            out.append({k: plain(v) for k, v in record.items()})
    print(json.dumps(out))


if __name__ == "__main__":
    try:
        main(sys.argv[1], sys.argv[2])
    except Exception as e:  # noqa: BLE001 - the test shows what failed
        print("avro_encode_probe: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        sys.exit(1)
