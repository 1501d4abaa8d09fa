"""kcat (librdkafka's command-line client) against `sluice broker`."""

import json
import shutil
import subprocess
import time
import unittest

from broker import BrokerTestCase, unique_name

KCAT = shutil.which("kcat") or shutil.which("kafkacat")
KCAT_TIMEOUT_S = 60
CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]


@unittest.skipIf(KCAT is None, "kcat is not installed")
class KcatTest(BrokerTestCase):
    broker_flags = {"default_partitions": 3}

    def kcat(self, *args, stdin=None, check=True):
        cmd = [KCAT, "-b", self.broker.bootstrap, "-X", "broker.address.family=v4"] + list(args)
        try:
            res = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 timeout=KCAT_TIMEOUT_S)
        except subprocess.TimeoutExpired as e:
            self.fail("kcat timed out after %ds: %s\nstderr: %s%s"
                      % (KCAT_TIMEOUT_S, " ".join(cmd), (e.stderr or b"").decode(errors="replace"),
                         self.broker_log()))
        if check and res.returncode != 0:
            self.fail("kcat exited with %d: %s\nstderr: %s%s"
                      % (res.returncode, " ".join(cmd), res.stderr.decode(errors="replace"),
                         self.broker_log()))
        return res

    def produce_lines(self, topic, lines, *extra):
        data = "".join(line + "\n" for line in lines).encode()
        res = self.kcat("-P", "-t", topic, *extra, stdin=data)
        err = res.stderr.decode(errors="replace")
        self.assertNotIn("Delivery failed", err, err + self.broker_log())
        return res

    def consume(self, topic, fmt, *extra):
        res = self.kcat("-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", fmt, *extra)
        return res.stdout.decode("utf-8", errors="replace")

    def metadata_json(self, *extra):
        res = self.kcat("-L", "-J", *extra)
        try:
            return json.loads(res.stdout.decode())
        except ValueError as e:
            self.fail("kcat -L -J printed invalid JSON (%s): %r" % (e, res.stdout[:500]))

    def wait_topic_metadata(self, topic, partitions, timeout=30.0):
        """kcat -L -J -t topic until the topic shows with all partitions and no error."""
        deadline = time.monotonic() + timeout
        md = None
        while time.monotonic() < deadline:
            md = self.metadata_json("-t", topic)
            for t in md.get("topics", []):
                if t.get("topic") == topic and not t.get("error") \
                        and len(t.get("partitions", [])) == partitions:
                    return md
            time.sleep(0.3)
        self.fail("topic %s never showed %d partitions in kcat -L: %r%s"
                  % (topic, partitions, md, self.broker_log()))

    # ------------------------------------------------------------------ tests

    def test_metadata_lists_broker_0_and_auto_created_topic(self):
        topic = unique_name("kcat-md")
        md = self.wait_topic_metadata(topic, 3)
        brokers = md.get("brokers", [])
        self.assertEqual(len(brokers), 1, md)
        self.assertEqual(brokers[0]["id"], 0, md)
        self.assertEqual(brokers[0]["name"], self.broker.bootstrap, md)
        t = [t for t in md["topics"] if t["topic"] == topic][0]
        self.assertEqual(sorted(p["partition"] for p in t["partitions"]), [0, 1, 2], md)
        for p in t["partitions"]:
            self.assertEqual(p["leader"], 0, md)
            self.assertEqual([r["id"] for r in p.get("replicas", [])], [0], md)
            self.assertEqual([r["id"] for r in p.get("isrs", [])], [0], md)

        # The topic also shows in the all-topics listing (which must not create anything).
        md_all = self.metadata_json()
        names = [t["topic"] for t in md_all.get("topics", [])]
        self.assertIn(topic, names, md_all)

    def test_metadata_lists_topic_auto_created_by_produce(self):
        topic = unique_name("kcat-auto")
        self.produce_lines(topic, ["hello"])
        md = self.metadata_json()
        names = [t["topic"] for t in md.get("topics", [])]
        self.assertIn(topic, names, md)
        t = [t for t in md["topics"] if t["topic"] == topic][0]
        self.assertEqual(len(t["partitions"]), 3, md)

    def _round_trip(self, codec, per_partition=300):
        topic = unique_name("kcat-rt-" + codec)
        self.wait_topic_metadata(topic, 3)
        expected = {}
        for p in range(3):
            lines = ["key-%d-%d:value-%d-%d-%s" % (p, i, p, i, "x" * (i % 97))
                     for i in range(per_partition)]
            expected[p] = lines
            self.produce_lines(topic, lines, "-p", str(p), "-K", ":",
                               "-X", "compression.codec=" + codec,
                               "-H", "source=kcat", "-H", "partition=%d" % p)
        # Per partition: offsets 0..n-1 in order, keys, values and headers intact.
        for p in range(3):
            out = self.consume(topic, "%o|%k|%s|%h\\n", "-p", str(p))
            rows = out.splitlines()
            self.assertEqual(len(rows), per_partition,
                             "partition %d: got %d rows, expected %d; first rows %r%s"
                             % (p, len(rows), per_partition, rows[:3], self.broker_log()))
            for i, row in enumerate(rows):
                off, key, value, headers = row.split("|")
                self.assertEqual(int(off), i, "partition %d row %d: %r" % (p, i, row))
                self.assertEqual(key + ":" + value, expected[p][i], "partition %d row %d" % (p, i))
                self.assertEqual(headers, "source=kcat,partition=%d" % p,
                                 "partition %d row %d: %r" % (p, i, row))
        # Whole topic (all partitions) in one consumer.
        out = self.consume(topic, "%p|%k|%s\\n")
        got = sorted(out.splitlines())
        want = sorted("%d|%s" % (p, line.replace(":", "|", 1))
                      for p, lines in expected.items() for line in lines)
        self.assertEqual(len(got), len(want))
        self.assertEqual(got, want)

    def test_produce_consume_round_trip_uncompressed(self):
        self._round_trip("none")

    def test_produce_consume_round_trip_gzip(self):
        self._round_trip("gzip")

    def test_produce_consume_round_trip_snappy(self):
        self._round_trip("snappy")

    def test_produce_consume_round_trip_lz4(self):
        self._round_trip("lz4")

    def test_produce_consume_round_trip_zstd(self):
        self._round_trip("zstd")

    def test_topic_holds_batches_of_mixed_codecs(self):
        topic = unique_name("kcat-mixed")
        self.wait_topic_metadata(topic, 3)
        want = []
        for codec in CODECS:
            lines = ["%s-%d" % (codec, i) for i in range(50)]
            want += lines
            self.produce_lines(topic, lines, "-p", "1", "-X", "compression.codec=" + codec)
        rows = self.consume(topic, "%o %s\\n", "-p", "1").splitlines()
        self.assertEqual([r.split(" ", 1)[1] for r in rows], want)
        self.assertEqual([int(r.split(" ", 1)[0]) for r in rows], list(range(len(want))))

    def test_consumer_format_shows_offsets_in_order(self):
        topic = unique_name("kcat-offsets")
        self.wait_topic_metadata(topic, 3)
        # Several separate produce runs -> several batches in the partition.
        n = 0
        for run in range(4):
            self.produce_lines(topic, ["k%d:v%d" % (n + i, n + i) for i in range(25)],
                               "-p", "0", "-K", ":")
            n += 25
        rows = self.consume(topic, "%o %k %s\\n", "-p", "0").splitlines()
        self.assertEqual(rows, ["%d k%d v%d" % (i, i, i) for i in range(n)])

        # Starting at an absolute offset in the middle of a batch.
        res = self.kcat("-C", "-t", topic, "-p", "0", "-o", "37", "-e", "-q", "-f", "%o %s\\n")
        rows = res.stdout.decode().splitlines()
        self.assertEqual(rows, ["%d v%d" % (i, i) for i in range(37, n)])

        # Negative offset: last 5 messages.
        res = self.kcat("-C", "-t", topic, "-p", "0", "-o", "-5", "-e", "-q", "-f", "%o\\n")
        self.assertEqual(res.stdout.decode().split(), [str(i) for i in range(n - 5, n)])

    def test_empty_partition_consumes_nothing_and_exits(self):
        topic = unique_name("kcat-empty")
        self.wait_topic_metadata(topic, 3)
        self.produce_lines(topic, ["only"], "-p", "2")
        self.assertEqual(self.consume(topic, "%s\\n", "-p", "0"), "")
        self.assertEqual(self.consume(topic, "%s\\n", "-p", "2"), "only\n")

    def test_large_values_round_trip(self):
        topic = unique_name("kcat-large")
        self.wait_topic_metadata(topic, 3)
        values = [("%06d" % i) * (5000 + i * 10) for i in range(20)]  # 30-42 KB each
        self.produce_lines(topic, values, "-p", "0")
        rows = self.consume(topic, "%s\\n", "-p", "0").splitlines()
        self.assertEqual(len(rows), len(values))
        for i, (got, want) in enumerate(zip(rows, values)):
            self.assertEqual(len(got), len(want), "value %d" % i)
            self.assertEqual(got, want, "value %d" % i)


    def test_legacy_protocol_versions_round_trip(self):
        # Without ApiVersions librdkafka falls back to the protocol of the given
        # broker version: 0.8.2 -> Produce v0, 0.9 -> Produce v1, both magic 0 (kafka-python
        # covers magic 1).
        for fallback in ("0.8.2", "0.9.0"):
            for codec in ("none", "gzip", "snappy", "lz4"):
                if codec == "lz4":
                    continue  # librdkafka refuses LZ4 with magic 0 brokers
                with self.subTest(fallback=fallback, codec=codec):
                    topic = unique_name("kcat-legacy")
                    self.wait_topic_metadata(topic, 3)
                    legacy = ["-X", "api.version.request=false",
                              "-X", "broker.version.fallback=" + fallback]
                    lines = ["k%d:%s-%s-%d" % (i, fallback, codec, i) for i in range(200)]
                    self.produce_lines(topic, lines, "-p", "0", "-K", ":",
                                       "-X", "compression.codec=" + codec, *legacy)
                    for consumer_flags in ([], legacy):
                        rows = self.consume(topic, "%o %k:%s\\n", "-p", "0",
                                            *consumer_flags).splitlines()
                        self.assertEqual(rows, ["%d %s" % (i, l) for i, l in enumerate(lines)],
                                         "consumer flags %r" % (consumer_flags,))


if __name__ == "__main__":
    unittest.main()
