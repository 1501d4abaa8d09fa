"""One round trip with a current Python Kafka client from PyPI, run by the venv of
scripts/install-py-clients.sh (not Debian's packages): the admin client creates a topic
with a config and changes another, an idempotent acks=all producer writes records with
keys and headers, a consumer group reads them all back and commits, and the committed
offsets and the topic's configs are read back. Prints one JSON line of what it saw;
exits 1 naming what failed. Driven by test_pypi_clients.py.

    python pypi_probe.py confluent-kafka|kafka-python BOOTSTRAP TOPIC GROUP N
"""

import json
import sys
import time

DEADLINE_S = 60


def fail(what):
    print("pypi_probe: " + what, file=sys.stderr)
    sys.exit(1)


def records(n):
    return [("k-%d" % i, "v-%d" % i, [("seq", str(i).encode())]) for i in range(n)]


def check(key, value, headers):
    i = key[2:]
    if value != "v-" + i or headers != [("seq", i.encode())]:
        fail("record %s=%s %s does not match what was produced" % (key, value, headers))
    return i


def confluent(bootstrap, topic, group, n):
    from confluent_kafka import Consumer, Producer, TopicPartition
    from confluent_kafka.admin import (AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource,
                                       NewTopic)
    base = {"bootstrap.servers": bootstrap, "broker.address.family": "v4"}
    admin = AdminClient(base)
    admin.create_topics([NewTopic(topic, 3, 1, config={"retention.ms": "86400000"})])[topic].result(30)
    res = ConfigResource(ConfigResource.Type.TOPIC, topic, incremental_configs=[
        ConfigEntry("segment.bytes", "2000000", incremental_operation=AlterConfigOpType.SET)])
    admin.incremental_alter_configs([res])[res].result(30)

    p = Producer(dict(base, **{"enable.idempotence": True, "acks": "all"}))
    failed = []
    for key, value, headers in records(n):
        p.produce(topic, key=key, value=value, headers=headers,
                  on_delivery=lambda err, _msg: err and failed.append(str(err)))
    p.flush(DEADLINE_S)
    if failed or len(p) > 0:
        fail("produce: %d failed (%s), %d undelivered" % (len(failed), failed[:1], len(p)))

    c = Consumer(dict(base, **{"group.id": group, "auto.offset.reset": "earliest",
                               "enable.auto.commit": False}))
    c.subscribe([topic])
    seen = set()
    deadline = time.monotonic() + DEADLINE_S
    while len(seen) < n and time.monotonic() < deadline:
        m = c.poll(1.0)
        if m is None:
            continue
        if m.error():
            fail("consume: %s" % m.error())
        seen.add(check(m.key().decode(), m.value().decode(), list(m.headers() or [])))
    c.commit(asynchronous=False)
    committed = sum(tp.offset for tp in c.committed([TopicPartition(topic, i) for i in range(3)], 30))
    c.close()

    described = list(admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, topic)])
                     .values())[0].result(30)
    configs = {k: v.value for k, v in described.items() if k in ("retention.ms", "segment.bytes")}
    return len(seen), committed, configs


def kafka_python(bootstrap, topic, group, n):
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(topic, 3, 1, topic_configs={"retention.ms": "86400000"})])
    admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic,
                                        configs={"retention.ms": "86400000", "segment.bytes": "2000000"})])

    p = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    futures = [p.send(topic, key=k.encode(), value=v.encode(), headers=h) for k, v, h in records(n)]
    p.flush(DEADLINE_S)
    for f in futures:
        f.get(timeout=DEADLINE_S)
    p.close()

    c = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                      enable_auto_commit=False)
    seen = set()
    deadline = time.monotonic() + DEADLINE_S
    while len(seen) < n and time.monotonic() < deadline:
        for batch in c.poll(timeout_ms=1000).values():
            for m in batch:
                seen.add(check(m.key.decode(), m.value.decode(), list(m.headers)))
    c.commit()
    committed = sum((c.committed(TopicPartition(topic, i)) or 0) for i in range(3))
    c.close()

    # kafka-python 3 answers {type: {name: {config: {"value": ...}}}}.
    described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])["topic"][topic]
    configs = {k: v["value"] for k, v in described.items() if k in ("retention.ms", "segment.bytes")}
    admin.close()
    return len(seen), committed, configs


def main():
    client, bootstrap, topic, group, n = sys.argv[1:6]
    run = {"confluent-kafka": confluent, "kafka-python": kafka_python}[client]
    consumed, committed, configs = run(bootstrap, topic, group, int(n))
    print(json.dumps({"produced": int(n), "consumed": consumed, "committed": committed,
                      "configs": configs}))


if __name__ == "__main__":
    main()
