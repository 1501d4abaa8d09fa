"""Transactions with confluent-kafka from PyPI (the venv of scripts/install-py-clients.sh),
one step per run, so that test_transactions.py can kill the broker or this process
between steps. Prints one JSON line of what it did or saw; exits 1 naming what failed.

    python txn_probe.py produce BOOTSTRAP TOPIC TXN_ID N commit|abort|open [TIMEOUT_MS]
        one transaction of N records "TXN_ID-i" over every partition; `open` flushes
        them, prints {"open": N} and then waits (to be killed -9)
    python txn_probe.py read BOOTSTRAP TOPIC read_committed|read_uncommitted
        every record from the beginning of every partition up to its end
    python txn_probe.py fence BOOTSTRAP TOPIC TXN_ID
        a second producer with the same transactional.id fences the first mid-transaction
    python txn_probe.py ctp BOOTSTRAP IN OUT GROUP TXN_ID N commit|abort
        consume N records of IN from the group's committed offsets, produce them to OUT
        and send the offsets to the transaction (consume-transform-produce)
    python txn_probe.py create BOOTSTRAP TOPIC PARTITIONS
    python txn_probe.py plain BOOTSTRAP TOPIC N        N records, idempotent, no transaction
    python txn_probe.py committed BOOTSTRAP TOPIC GROUP
        the group's committed offsets, summed over the partitions (-1001 counts as 0)
"""

import json
import sys
import time

DEADLINE_S = 60


def fail(what):
    print("txn_probe: " + what, file=sys.stderr)
    sys.exit(1)


def base(bootstrap):
    return {"bootstrap.servers": bootstrap, "broker.address.family": "v4"}


def partitions_of(client, topic):
    md = client.list_topics(topic, timeout=30)
    if topic not in md.topics or md.topics[topic].error is not None:
        fail("topic %s: %s" % (topic, md.topics.get(topic) and md.topics[topic].error))
    return sorted(md.topics[topic].partitions)


def transactional_producer(bootstrap, txn_id, timeout_ms=60000):
    from confluent_kafka import Producer
    p = Producer(dict(base(bootstrap), **{"transactional.id": txn_id,
                                          "transaction.timeout.ms": int(timeout_ms)}))
    p.init_transactions(DEADLINE_S)
    return p


def produce(bootstrap, topic, txn_id, n, outcome, timeout_ms=60000):
    p = transactional_producer(bootstrap, txn_id, timeout_ms)
    parts = partitions_of(p, topic)
    p.begin_transaction()
    for i in range(int(n)):
        p.produce(topic, value="%s-%d" % (txn_id, i), partition=parts[i % len(parts)])
    if p.flush(DEADLINE_S) > 0:
        fail("records not delivered")
    if outcome == "open":
        print(json.dumps({"open": int(n)}), flush=True)
        time.sleep(3600)
    elif outcome == "commit":
        p.commit_transaction(DEADLINE_S)
    else:
        p.abort_transaction(DEADLINE_S)
    print(json.dumps({outcome: int(n)}))


def read(bootstrap, topic, isolation):
    from confluent_kafka import Consumer, KafkaError, TopicPartition
    c = Consumer(dict(base(bootstrap), **{"group.id": "txn-probe-reader",
                                          "isolation.level": isolation,
                                          "enable.partition.eof": True,
                                          "enable.auto.commit": False}))
    parts = partitions_of(c, topic)
    c.assign([TopicPartition(topic, p, 0) for p in parts])
    at_end, values = set(), []
    deadline = time.monotonic() + DEADLINE_S
    while len(at_end) < len(parts):
        if time.monotonic() > deadline:
            fail("partitions %s never reached their end" % sorted(set(parts) - at_end))
        m = c.poll(1.0)
        if m is None:
            continue
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                at_end.add(m.partition())
                continue
            fail("consume: %s" % m.error())
        at_end.discard(m.partition())
        values.append(m.value().decode())
    c.close()
    print(json.dumps({"values": sorted(values)}))


def fence(bootstrap, topic, txn_id):
    from confluent_kafka import KafkaException
    first = transactional_producer(bootstrap, txn_id)
    first.begin_transaction()
    first.produce(topic, value="zombie")
    first.flush(DEADLINE_S)
    second = transactional_producer(bootstrap, txn_id)  # fences `first`, aborting its transaction
    second.begin_transaction()
    second.produce(topic, value="successor")
    second.commit_transaction(DEADLINE_S)
    try:
        first.commit_transaction(DEADLINE_S)
        outcome = "committed"
    except KafkaException as e:
        err = e.args[0]
        outcome = "fatal" if err.fatal() else ("abortable" if err.txn_requires_abort() else
                                               "error")
        outcome += ":" + err.name()
    print(json.dumps({"zombie": outcome}))


def ctp(bootstrap, src, dst, group, txn_id, n, outcome):
    from confluent_kafka import Consumer
    c = Consumer(dict(base(bootstrap), **{"group.id": group, "auto.offset.reset": "earliest",
                                          "enable.auto.commit": False,
                                          "isolation.level": "read_committed"}))
    c.subscribe([src])
    p = transactional_producer(bootstrap, txn_id)
    p.begin_transaction()
    moved = 0
    deadline = time.monotonic() + DEADLINE_S
    while moved < int(n):
        if time.monotonic() > deadline:
            fail("moved only %d of %s records" % (moved, n))
        m = c.poll(1.0)
        if m is None:
            continue
        if m.error():
            fail("consume: %s" % m.error())
        p.produce(dst, value=m.value().decode().upper())
        moved += 1
    p.send_offsets_to_transaction(c.position(c.assignment()), c.consumer_group_metadata(),
                                  DEADLINE_S)
    if outcome == "commit":
        p.commit_transaction(DEADLINE_S)
    else:
        p.abort_transaction(DEADLINE_S)
    c.close()
    print(json.dumps({"moved": moved, outcome: True}))


def create(bootstrap, topic, partitions):
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient(base(bootstrap))
    admin.create_topics([NewTopic(topic, int(partitions), 1)])[topic].result(30)
    print(json.dumps({"created": topic}))


def plain(bootstrap, topic, n):
    from confluent_kafka import Producer
    p = Producer(dict(base(bootstrap), **{"enable.idempotence": True}))
    for i in range(int(n)):
        p.produce(topic, value="plain-%d" % i)
    if p.flush(DEADLINE_S) > 0:
        fail("records not delivered")
    print(json.dumps({"plain": int(n)}))


def committed(bootstrap, topic, group):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer(dict(base(bootstrap), **{"group.id": group}))
    parts = partitions_of(c, topic)
    offsets = c.committed([TopicPartition(topic, p) for p in parts], 30)
    c.close()
    print(json.dumps({"committed": sum(max(tp.offset, 0) for tp in offsets)}))


def main():
    step, args = sys.argv[1], sys.argv[2:]
    {"produce": produce, "read": read, "fence": fence, "ctp": ctp, "create": create,
     "plain": plain, "committed": committed}[step](*args)


if __name__ == "__main__":
    main()
