#!/usr/bin/env python3
"""The reference for bench/pipeline: the claim-attachment job written as a plain
Python worker, the way the runbooks' Python workers would be.

One process, one consumer group on the events topic. For each event, in order:
  1. json.loads + the required fields (claim_id, event_type, submitted_at,
     attachments[].url / content_type); an invalid event goes to <events>.dlq;
  2. its attachments (1-3 per demo event) are downloaded concurrently by a small
     thread pool (urllib, timeout, up to 2 attempts on 5xx / connection errors),
     checked (200, Content-Type, size limit), hashed (sha256) and written to
     <store>/attachments/<claim_id>/<sha256> (temp file, fsync, rename, fsync
     of the directory: durable before its result is produced, the same
     guarantee, and the same fsyncs, as sluice's local object store);
  3. one result record per attachment (the download stage's JSON) is produced
     to the results topic, keyed by claim_id, with the event's trace id header;
  4. producer.flush(), then the event's offset is committed synchronously.
A failed attachment is produced to <events>.dlq with the reason.

Usage: reference.py --bootstrap HOST:PORT --topic EVENTS --results RESULTS
                    --store DIR [--group G] [--threads 8] [--timeout 8]
Prints "reference: ready" once partitions are assigned, and a progress line to
stderr every 5 s. Stops on SIGTERM/SIGINT (finishes the current event).
"""

import argparse
import concurrent.futures
import datetime
import hashlib
import json
import os
import re
import signal
import sys
import tempfile
import time
import urllib.error
import urllib.request


def _importable_confluent_kafka():
    # Debian's python3-confluent-kafka lives in /usr/lib/python3/dist-packages,
    # which another python3 build of the same version does not search
    # (tests/clients/broker.py does the same).
    try:
        import confluent_kafka  # noqa: F401
    except ImportError:
        dist = "/usr/lib/python3/dist-packages"
        if os.path.isdir(dist) and dist not in sys.path:
            sys.path.append(dist)


_importable_confluent_kafka()
from confluent_kafka import Consumer, KafkaException, Producer  # noqa: E402

CLAIM_ID = re.compile(r"^[A-Za-z0-9._-]{1,200}$")
ALLOWED_TYPES = {"application/pdf", "image/jpeg", "image/png", "image/tiff", "text/plain"}
MAX_BYTES = 50 * 1024 * 1024


class Invalid(Exception):
    pass


class DownloadFailed(Exception):
    def __init__(self, category, message):
        super().__init__(message)
        self.category = category


def validate(value):
    try:
        event = json.loads(value)
    except (ValueError, TypeError) as e:
        raise Invalid("malformed JSON: %s" % e)
    if not isinstance(event, dict):
        raise Invalid("event is not a JSON object")
    for field in ("claim_id", "event_type", "submitted_at", "attachments"):
        if field not in event:
            raise Invalid("missing required field %r" % field)
    if not isinstance(event["claim_id"], str) or not CLAIM_ID.match(event["claim_id"]):
        raise Invalid("claim_id must be 1-200 letters, digits, '.', '_' or '-'")
    attachments = event["attachments"]
    if not isinstance(attachments, list) or not attachments:
        raise Invalid("attachments must be a non-empty list")
    for a in attachments:
        if not isinstance(a, dict) or not isinstance(a.get("url"), str) \
                or not isinstance(a.get("content_type"), str):
            raise Invalid("every attachment needs a url and a content_type")
        if not a["url"].startswith(("http://", "https://")):
            raise Invalid("attachment url %r is not an http(s) URL" % a["url"])
    return event


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds") \
        .replace("+00:00", "Z")


def fetch(url, timeout):
    """GET url; returns (body, content_type). Retries once on 5xx or a connection error."""
    for attempt in (1, 2):
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                content_type = response.headers.get_content_type()
                length = response.headers.get("Content-Length")
                if length is not None and int(length) > MAX_BYTES:
                    raise DownloadFailed("permanent", "%s is larger than %d bytes" % (url, MAX_BYTES))
                body = response.read(MAX_BYTES + 1)
                if len(body) > MAX_BYTES:
                    raise DownloadFailed("permanent", "%s is larger than %d bytes" % (url, MAX_BYTES))
                return body, content_type
        except urllib.error.HTTPError as e:
            if e.code < 500 or attempt == 2:
                raise DownloadFailed("permanent" if e.code < 500 else "transient",
                                     "HTTP %d from %s" % (e.code, url))
        except (urllib.error.URLError, OSError) as e:
            if attempt == 2:
                raise DownloadFailed("timeout" if "timed out" in str(e) else "transient",
                                     "cannot download %s: %s" % (url, e))
        time.sleep(0.2)
    raise AssertionError("unreachable")


def fsync_dir(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def store_object(store, claim_id, digest, body):
    """<store>/attachments/<claim_id>/<sha256>, as durably as sluice's local store: temp
    file, fsync, rename, fsync of the directory (and of its parent when it is new)."""
    key = "attachments/%s/%s" % (claim_id, digest)
    path = os.path.join(store, key)
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, exist_ok=True)
        fsync_dir(os.path.dirname(directory))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    fsync_dir(directory)
    return key


def download(store, timeout, trace_id, claim_id, index, attachment):
    """Downloads one attachment; returns its result record (a dict)."""
    url = attachment["url"]
    body, content_type = fetch(url, timeout)
    if content_type not in ALLOWED_TYPES or content_type != attachment["content_type"]:
        raise DownloadFailed("permanent", "%s answered with Content-Type %r" % (url, content_type))
    digest = hashlib.sha256(body).hexdigest()
    key = store_object(store, claim_id, digest, body)
    return {"trace_id": trace_id, "claim_id": claim_id, "task_id": "%s/%d" % (claim_id, index),
            "url": url, "object_key": key, "sha256": digest, "size_bytes": len(body),
            "content_type": content_type, "downloaded_at": now_rfc3339(), "status": "stored"}


def trace_id_of(msg):
    for name, value in msg.headers() or []:
        if name == "sluice.trace_id" and value is not None:
            return value.decode("utf-8", "replace")
    return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True, help="events topic")
    ap.add_argument("--results", required=True, help="results topic")
    ap.add_argument("--store", required=True, help="directory standing in for the object store")
    ap.add_argument("--group", default="claims.reference")
    ap.add_argument("--threads", type=int, default=8, help="download threads (default 8)")
    ap.add_argument("--timeout", type=float, default=8.0, help="HTTP timeout, seconds")
    args = ap.parse_args()
    dlq = args.topic + ".dlq"

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))

    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group,
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    producer = Producer({"bootstrap.servers": args.bootstrap, "acks": "all"})
    failures = []

    def on_delivery(err, _msg):
        if err is not None:
            failures.append(err)

    def on_assign(_consumer, partitions):
        if partitions:
            print("reference: ready (%d partitions)" % len(partitions), flush=True)

    consumer.subscribe([args.topic], on_assign=on_assign)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=args.threads)
    events = stored = failed = 0
    next_progress = time.monotonic() + 5
    try:
        while not stopping:
            if time.monotonic() >= next_progress:
                next_progress += 5
                print("reference: %d events, %d stored, %d failed" % (events, stored, failed),
                      file=sys.stderr, flush=True)
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                print("reference: consumer error: %s" % msg.error(), file=sys.stderr, flush=True)
                continue
            trace_id = trace_id_of(msg)
            headers = [("sluice.trace_id", trace_id.encode())]
            try:
                event = validate(msg.value())
            except Invalid as e:
                producer.produce(dlq, msg.value(), msg.key(), on_delivery=on_delivery,
                                 headers=headers + [("error", str(e).encode())])
            else:
                claim_id = event["claim_id"]
                futures = [pool.submit(download, args.store, args.timeout, trace_id, claim_id, i, a)
                           for i, a in enumerate(event["attachments"])]
                for i, future in enumerate(futures):
                    try:
                        result = future.result()
                    except DownloadFailed as e:
                        failed += 1
                        task = json.dumps({"trace_id": trace_id, "claim_id": claim_id,
                                           "task_id": "%s/%d" % (claim_id, i),
                                           "url": event["attachments"][i]["url"]})
                        producer.produce(dlq, task, claim_id, on_delivery=on_delivery,
                                         headers=headers + [("category", e.category.encode()),
                                                            ("error", str(e).encode())])
                    else:
                        stored += 1
                        producer.produce(args.results, json.dumps(result), claim_id,
                                         on_delivery=on_delivery, headers=headers)
            events += 1
            # At least once: the results are acknowledged before the offset is committed.
            if producer.flush(30) > 0 or failures:
                raise KafkaException("results not acknowledged: %s" % (failures or "timeout"))
            consumer.commit(message=msg, asynchronous=False)
    finally:
        pool.shutdown(wait=True)
        producer.flush(10)
        consumer.close()
        print("reference: stopped after %d events, %d stored, %d failed" % (events, stored, failed),
              file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
