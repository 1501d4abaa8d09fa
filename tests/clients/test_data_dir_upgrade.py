"""Upgrade safety (issue 16): the data directory's format marker.

- A directory written by the release before the marker (tests/fixtures/data-dir-v0)
  is migrated: the marker is written, every topic gets a topic id (format 2), which
  Kafka's kafka-topics shows and a restart keeps, and every record, committed offset
  and idempotent producer's state is still there (the producer continues its sequence,
  and a resent batch is recognised as a duplicate).
- A directory of a newer format, or with a damaged marker, is refused with a clear
  message and exit code 1, and nothing in it is read or changed.
- A new directory gets a marker with a fresh cluster id, which Metadata answers
  and which survives a restart.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest

import broker  # noqa: F401  (makes the Debian client packages importable)
from broker import BrokerProcess, sluice_bin, unique_name
import ck_helpers
import wire

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import kafka_dist  # noqa: E402

from confluent_kafka import TopicPartition
from confluent_kafka.admin import AdminClient

FIXTURE = os.path.join(broker.REPO_ROOT, "tests", "fixtures", "data-dir-v0")
CURRENT_FORMAT = 2  # 1: the marker; 2: topic ids
DUPLICATE_OR_OK = 0
OUT_OF_ORDER_SEQUENCE_NUMBER = 45


def read_marker(data_dir):
    with open(os.path.join(data_dir, "meta.properties")) as f:
        return dict(l.strip().split("=", 1) for l in f if l.strip() and not l.startswith("#"))


def topic_ids(data_dir):
    """topic -> the id its topic.conf holds (None when it has none)."""
    ids = {}
    for topic in sorted(os.listdir(os.path.join(data_dir, "topics"))):
        with open(os.path.join(data_dir, "topics", topic, "topic.conf")) as f:
            found = [line.strip()[3:] for line in f if line.startswith("id=")]
        ids[topic] = found[0] if found else None
    return ids


def cluster_id(bootstrap):
    admin = AdminClient({"bootstrap.servers": bootstrap, "broker.address.family": "v4"})
    return admin.list_topics(timeout=10).cluster_id


def tree_digest(root):
    """Names, sizes and contents of everything under root but the lock file, which
    the broker takes before reading anything (docs/formats/data-dir.md)."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in sorted(os.walk(root)):
        dirnames.sort()
        h.update(dirpath.encode())
        for name in sorted(filenames):
            if dirpath == root and name == ".lock":
                continue
            with open(os.path.join(dirpath, name), "rb") as f:
                h.update(name.encode() + b"\0" + f.read())
    return h.hexdigest()


def run_broker_expecting_exit(data_dir):
    return subprocess.run([sluice_bin(), "broker", "--data-dir", data_dir,
                           "--listen", "127.0.0.1:0"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)


class UpgradeFromTheReleaseBeforeTheMarker(unittest.TestCase):
    def setUp(self):
        with open(os.path.join(FIXTURE, "expected.json")) as f:
            self.expected = json.load(f)
        self.broker = BrokerProcess(start=False)
        self.addCleanup(self.broker.close)
        with tarfile.open(os.path.join(FIXTURE, "data-dir-v0.tar.gz")) as tar:
            tar.extractall(self.broker.tmpdir)
        self.assertFalse(os.path.exists(os.path.join(self.broker.data_dir, "meta.properties")))
        self.broker.start()

    def test_every_record_offset_and_producer_state_survives_the_migration(self):
        marker = read_marker(self.broker.data_dir)
        self.assertEqual(marker, {"version": str(CURRENT_FORMAT), "cluster.id": "sluice-single-node"},
                         "migration writes the marker and keeps the id clients saw before")
        self.assertIn("migrating data directory", self.broker.stderr_tail())
        self.assertEqual(cluster_id(self.broker.bootstrap), "sluice-single-node")
        ids = self.check_topic_ids()
        self.check_records()
        self.check_committed_offsets()
        self.check_producer_state()
        # A second start finds the marker and migrates nothing; the ids stay.
        self.broker.stop()
        self.broker.start()
        self.assertEqual(read_marker(self.broker.data_dir)["version"], str(CURRENT_FORMAT))
        self.assertEqual(self.broker.stderr_tail(5000).count("migrating data directory"),
                         CURRENT_FORMAT, "one line per step, on the first start only")
        self.assertEqual(topic_ids(self.broker.data_dir), ids)

    def check_topic_ids(self):
        ids = topic_ids(self.broker.data_dir)
        self.assertEqual(sorted(ids), ["events", "orders"])
        for topic, topic_id in ids.items():
            self.assertRegex(topic_id or "", r"^[A-Za-z0-9_-]{22}$", topic)
        self.assertNotEqual(ids["orders"], ids["events"])
        r = kafka_dist.run_tool("kafka-topics", "--bootstrap-server", self.broker.bootstrap,
                                "--describe", "--topic", "orders")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(re.findall(r"TopicId: (\S+)", r.stdout), [ids["orders"]], r.stdout)
        return ids

    def check_records(self):
        for key, records in self.expected["records"].items():
            topic, part = key.split("/")
            got, _ = ck_helpers.consume_partitions(self.broker.bootstrap, topic, [int(part)])
            rows = [(r.key, r.value) for r in got[int(part)]]
            self.assertEqual(rows, [(r["key"].encode(), r["value"].encode()) for r in records],
                             key)

    def check_committed_offsets(self):
        c = ck_helpers.consumer(self.broker.bootstrap, **{"group.id": self.expected["group"]})
        try:
            wanted = [TopicPartition(k.split("/")[0], int(k.split("/")[1]))
                      for k in self.expected["committed"]]
            got = {"%s/%d" % (tp.topic, tp.partition): tp.offset
                   for tp in c.committed(wanted, timeout=20)}
        finally:
            c.close()
        self.assertEqual(got, self.expected["committed"])

    def check_producer_state(self):
        for key, last in self.expected["last_batches"].items():
            topic, part = key.split("/")
            part = int(part)
            ident = dict(producer_id=last["producer_id"], producer_epoch=last["producer_epoch"])
            # The last batch again: a duplicate, answered with its original offset.
            resent = wire.record_batch([(b"k", b"resent")], base_sequence=last["base_sequence"],
                                       **ident)
            err, base = wire.produce_v3(self.broker.port, topic, part, resent)
            self.assertEqual((err, base), (DUPLICATE_OR_OK, last["base_offset"]),
                             "%s: the broker remembers the producer's last batch" % key)
            # A gap in the sequence is refused: the broker knows where the producer stands.
            gap = wire.record_batch([(b"k", b"gap")], base_sequence=last["base_sequence"] + 5,
                                    **ident)
            err, _ = wire.produce_v3(self.broker.port, topic, part, gap)
            self.assertEqual(err, OUT_OF_ORDER_SEQUENCE_NUMBER, key)
            # The next sequence continues the log.
            following = wire.record_batch([(b"k", b"next")],
                                          base_sequence=last["base_sequence"] + 1, **ident)
            err, base = wire.produce_v3(self.broker.port, topic, part, following)
            self.assertEqual((err, base), (0, last["last_offset"] + 1), key)


class RefusedDataDirectories(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sluice-datadir-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        with tarfile.open(os.path.join(FIXTURE, "data-dir-v0.tar.gz")) as tar:
            tar.extractall(self.tmp)
        self.data_dir = os.path.join(self.tmp, "data")

    def write_marker(self, text):
        with open(os.path.join(self.data_dir, "meta.properties"), "w") as f:
            f.write(text)

    def assert_refused(self, *phrases):
        before = tree_digest(self.data_dir)
        r = run_broker_expecting_exit(self.data_dir)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertNotIn("listening", r.stdout)
        for phrase in phrases:
            self.assertIn(phrase, r.stderr)
        self.assertEqual(tree_digest(self.data_dir), before, "nothing was changed")
        return r.stderr

    def test_a_newer_format_is_refused_and_left_alone(self):
        self.write_marker("version=7\ncluster.id=abc\nsome.future.key=1\n")
        stderr = self.assert_refused("format version 7", "reads versions up to %d" % CURRENT_FORMAT,
                                     "newer sluice release", "--data-dir")
        self.assertNotIn("migrating", stderr)

    def test_a_damaged_marker_is_refused(self):
        for text, reason in [("", "no 'version' line"),
                             ("version=one\ncluster.id=abc\n", "is not a number"),
                             ("version=1\n", "no 'cluster.id' line"),
                             ("\x00\x17garbage", "a line without '='"),
                             ("version=1\ncluster.id=a b\n", "cluster.id must be")]:
            with self.subTest(text=text):
                self.write_marker(text)
                self.assert_refused("meta.properties is damaged", reason,
                                    "docs/formats/data-dir.md")


class OneProcessPerDataDirectory(unittest.TestCase):
    def test_a_second_broker_on_the_same_directory_is_refused_and_the_first_serves_on(self):
        b = BrokerProcess()
        self.addCleanup(b.close)
        r = run_broker_expecting_exit(b.data_dir)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("the data dir %s is in use by sluice broker (pid %d)" % (b.data_dir, b.pid),
                      r.stderr)
        self.assertTrue(b.is_running())
        self.assertIsNotNone(cluster_id(b.bootstrap))
        b.kill9()  # the kernel drops a killed holder's lock: a restart needs no clean-up
        b.start()
        self.assertIsNotNone(cluster_id(b.bootstrap))


class ANewDataDirectory(unittest.TestCase):
    def test_gets_a_fresh_cluster_id_that_metadata_answers_and_a_restart_keeps(self):
        b = BrokerProcess()
        self.addCleanup(b.close)
        marker = read_marker(b.data_dir)
        self.assertEqual(marker["version"], str(CURRENT_FORMAT))
        self.assertRegex(marker["cluster.id"], r"^[A-Za-z0-9_-]{22}$")
        self.assertEqual(cluster_id(b.bootstrap), marker["cluster.id"])
        ck_helpers.produce_all(ck_helpers.producer(b.bootstrap), unique_name("t"),
                               [{"value": b"x"}])
        b.stop()
        b.start()
        self.assertEqual(cluster_id(b.bootstrap), marker["cluster.id"])
        other = BrokerProcess()
        self.addCleanup(other.close)
        self.assertNotEqual(cluster_id(other.bootstrap), marker["cluster.id"])


if __name__ == "__main__":
    unittest.main()
