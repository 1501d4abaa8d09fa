"""confluent_kafka helpers shared by the client tests: a producer that never uses
idempotence, a consumer that only uses assign() (no group membership, no
commits), and bounded produce/consume loops."""

import collections
import time

import broker  # noqa: F401  (makes the Debian client packages importable)
from confluent_kafka import (OFFSET_BEGINNING, Consumer, KafkaError, Producer,
                             TopicPartition)

Rec = collections.namedtuple("Rec", "partition offset key value timestamp headers")
Delivery = collections.namedtuple("Delivery", "partition offset key value error")


def producer(bootstrap, **overrides):
    conf = {
        "bootstrap.servers": bootstrap,
        "broker.address.family": "v4",
        "acks": "all",
        "enable.idempotence": False,
        "linger.ms": 5,
        "message.timeout.ms": 60000,
        "reconnect.backoff.ms": 50,
        "reconnect.backoff.max.ms": 500,
        "log.connection.close": False,  # brokers are stopped on purpose; keep output readable
    }
    conf.update(overrides)
    return Producer(conf)


def consumer(bootstrap, **overrides):
    conf = {
        "bootstrap.servers": bootstrap,
        "broker.address.family": "v4",
        "group.id": "sluice-client-tests",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "earliest",
        "enable.partition.eof": True,
        "reconnect.backoff.ms": 50,
        "reconnect.backoff.max.ms": 500,
        "log.connection.close": False,
    }
    conf.update(overrides)
    return Consumer(conf)


def produce_all(p, topic, messages, timeout=120.0):
    """messages: iterable of dicts with keys value and optional key, partition,
    timestamp, headers. Returns the list of Delivery in the order of `messages`."""
    results = []

    def make_cb(index):
        def cb(err, msg):
            results[index] = Delivery(msg.partition(), msg.offset(), msg.key(), msg.value(), err)
        return cb

    deadline = time.monotonic() + timeout
    for i, m in enumerate(messages):
        results.append(None)
        kwargs = {"value": m["value"], "on_delivery": make_cb(i)}
        for k in ("key", "partition", "timestamp", "headers"):
            if m.get(k) is not None:
                kwargs[k] = m[k]
        while True:
            try:
                p.produce(topic, **kwargs)
                break
            except BufferError:
                if time.monotonic() > deadline:
                    raise AssertionError("producer queue stayed full until the deadline")
                p.poll(0.1)
        p.poll(0)
    left = p.flush(max(1.0, deadline - time.monotonic()))
    if left:
        raise AssertionError("%d messages still undelivered after %.0fs" % (left, timeout))
    missing = [i for i, r in enumerate(results) if r is None]
    if missing:
        raise AssertionError("no delivery report for %d messages (first index %d)"
                             % (len(missing), missing[0]))
    return results


def watermarks(c, topic, partition, timeout=10.0):
    return c.get_watermark_offsets(TopicPartition(topic, partition), timeout=timeout, cached=False)


def consume_partitions(bootstrap, topic, partitions, timeout=90.0, start=OFFSET_BEGINNING,
                       **overrides):
    """Reads every partition in `partitions` from `start` up to the high watermark
    observed before reading. Returns ({partition: [Rec]}, {partition: (low, high)}).
    Raises AssertionError if the deadline passes first."""
    c = consumer(bootstrap, **overrides)
    try:
        marks = {p: watermarks(c, topic, p) for p in partitions}
        out = {p: [] for p in partitions}
        next_offset = {p: None for p in partitions}
        c.assign([TopicPartition(topic, p, start) for p in partitions])

        def done(p):
            high = marks[p][1]
            if high <= marks[p][0]:
                return True
            return next_offset[p] is not None and next_offset[p] >= high

        errors = []
        deadline = time.monotonic() + timeout
        while not all(done(p) for p in partitions):
            if time.monotonic() > deadline:
                raise AssertionError(
                    "consuming %s timed out after %.0fs: watermarks %r, next offsets %r, "
                    "counts %r, errors %r"
                    % (topic, timeout, marks, next_offset, {p: len(v) for p, v in out.items()},
                       errors[-5:]))
            for msg in c.consume(num_messages=1000, timeout=0.5):
                err = msg.error()
                if err is not None:
                    if err.code() == KafkaError._PARTITION_EOF:
                        if msg.partition() in next_offset:
                            next_offset[msg.partition()] = max(next_offset[msg.partition()] or 0,
                                                               msg.offset())
                        continue
                    errors.append(str(err))
                    continue
                p = msg.partition()
                out[p].append(Rec(p, msg.offset(), msg.key(), msg.value(),
                                  msg.timestamp(), msg.headers()))
                next_offset[p] = msg.offset() + 1
        return out, marks
    finally:
        c.close()
