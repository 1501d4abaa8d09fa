"""Malformed and unusual requests on raw sockets. Whatever a client sends, the
broker must keep serving other clients and must never crash; after every abuse a
fresh connection gets a correct Metadata v1 answer."""

import random
import socket
import struct
import unittest

import broker  # noqa: F401
from broker import BrokerTestCase, unique_name, wait_until
import wire

CLOSE_TIMEOUT_S = 10.0

# Versions the broker is specified to serve: api key -> max version (min is 0 everywhere).
# Every API but the consumer-group ones at the latest stable version of Kafka 4.4, and the
# transaction APIs at the versions of transactions v1; KIP-848's two APIs.
SERVED = {0: 13, 1: 18, 2: 11, 3: 13, 10: 6, 17: 1, 18: 5, 19: 7, 20: 6, 21: 2, 22: 5, 24: 3,
          25: 4, 26: 4, 28: 4, 29: 3, 30: 3, 31: 3, 32: 4, 33: 2, 35: 5, 36: 2, 37: 3, 44: 1,
          47: 0, 48: 1, 50: 0, 51: 0, 60: 2, 65: 0, 66: 1, 68: 1,
          69: 1}


class RobustnessTestCase(BrokerTestCase):

    def assert_broker_healthy(self, context=""):
        self.assertTrue(self.broker.is_running(),
                        "broker process died %s%s" % (context, self.broker_log()))
        try:
            md = wire.metadata_v1(self.broker.port, topics=None)
        except (OSError, ValueError, AssertionError) as e:
            self.fail("broker stopped answering Metadata v1 %s: %r%s" % (context, e, self.broker_log()))
        self.assertEqual([(b["node_id"], b["host"], b["port"]) for b in md["brokers"]],
                         [(0, "127.0.0.1", self.broker.port)], context)
        self.assertEqual(md["controller_id"], 0)
        return md

    def connect(self):
        c = wire.Connection(self.broker.port, timeout=10)
        self.addCleanup(c.close)
        return c

    def assert_closed_or_error_response(self, conn, correlation_id, context):
        """After a request the broker cannot serve it may either answer with the
        right correlation id or close the connection; it must not hang forever."""
        try:
            frame = conn.recv_frame(timeout=CLOSE_TIMEOUT_S)
        except (ConnectionError, OSError):
            return "closed"
        except socket.timeout:
            self.fail("broker neither answered nor closed the connection after %s" % context)
        got = struct.unpack(">i", frame[:4])[0]
        self.assertEqual(got, correlation_id, "response to %s has the wrong correlation id" % context)
        return "answered"

    def create_topic(self):
        topic = unique_name("robust")

        def ready():
            md = wire.metadata_v1(self.broker.port, [topic])  # v1: auto-creates the topic
            t = md["topics"][0]
            return t["error_code"] == 0 and t["partitions"]

        wait_until(ready, 20, 0.2, "auto-created topic %s" % topic)
        return topic


class MalformedFramesTest(RobustnessTestCase):

    def test_negative_frame_size_closes_connection(self):
        c = self.connect()
        c.send_raw(struct.pack(">i", -1) + b"\x00" * 16)
        self.assertTrue(c.wait_closed(CLOSE_TIMEOUT_S), "negative size: connection left open")
        self.assert_broker_healthy("after a negative frame size")

    def test_huge_frame_size_closes_connection(self):
        for size in (0x7FFFFFFF, 200 * 1024 * 1024):
            c = self.connect()
            c.send_raw(struct.pack(">i", size) + b"\x00\x03\x00\x01")
            self.assertTrue(c.wait_closed(CLOSE_TIMEOUT_S),
                            "frame size %d: connection left open (broker waiting for it?)" % size)
            self.assert_broker_healthy("after a frame size of %d" % size)

    def test_zero_and_tiny_frames_close_connection(self):
        for payload in (b"", b"\x00", b"\x00\x03\x00"):
            c = self.connect()
            c.send_raw(wire.frame(payload))
            self.assertTrue(c.wait_closed(CLOSE_TIMEOUT_S),
                            "frame of %d bytes (shorter than a request header) left open"
                            % len(payload))
            self.assert_broker_healthy("after a %d-byte frame" % len(payload))

    def test_truncated_frame_then_disconnect(self):
        c = self.connect()
        hdr = wire.request_header_v1(wire.METADATA, 1, 1)
        c.send_raw(struct.pack(">i", 100) + hdr)  # promises 100 bytes, sends fewer
        c.close()
        self.assert_broker_healthy("after a truncated frame and disconnect")

    def test_half_sent_frame_does_not_block_other_clients(self):
        stuck = self.connect()
        stuck.send_raw(struct.pack(">i", 1000) + b"\x00\x03\x00\x01\x00\x00")
        # While that connection waits for the rest, others are served.
        self.assert_broker_healthy("while another connection holds half a frame")
        self.assert_broker_healthy("while another connection holds half a frame (2)")
        # Completing the frame with garbage gets it closed or answered, not a crash.
        stuck.send_raw(b"\x00" * 994)
        self.assert_closed_or_error_response(stuck, 0, "a completed garbage frame")
        self.assert_broker_healthy("after completing the half frame")

    def test_truncated_request_body_does_not_crash(self):
        c = self.connect()
        # Metadata v1 claiming 5 topics but carrying none.
        body = struct.pack(">i", 5)
        c.send_request(wire.request_header_v1(wire.METADATA, 1, 11), body)
        self.assert_closed_or_error_response(c, 11, "a truncated Metadata body")
        self.assert_broker_healthy("after a truncated Metadata body")

        c = self.connect()
        # A string length running past the end of the frame.
        body = struct.pack(">i", 1) + struct.pack(">h", 300) + b"abc"
        c.send_request(wire.request_header_v1(wire.METADATA, 1, 12), body)
        self.assert_closed_or_error_response(c, 12, "a string running past the frame")
        self.assert_broker_healthy("after a string running past the frame")

        c = self.connect()
        # Produce v3 whose records length exceeds the frame.
        body = (wire.Writer().string(None).int16(-1).int32(1000).int32(1).string("t")
                .int32(1).int32(0).int32(5000).raw(b"\x00" * 10).bytes())
        c.send_request(wire.request_header_v1(wire.PRODUCE, 3, 13), body)
        self.assert_closed_or_error_response(c, 13, "a Produce with a records length past the frame")
        self.assert_broker_healthy("after a Produce with a records length past the frame")

    def test_client_id_longer_than_frame_does_not_crash(self):
        c = self.connect()
        c.send_raw(wire.frame(struct.pack(">hhih", wire.METADATA, 1, 5, 2000) + b"x" * 10))
        self.assert_closed_or_error_response(c, 5, "a client id running past the frame")
        self.assert_broker_healthy("after a client id running past the frame")

    def test_random_garbage_bytes(self):
        rng = random.Random(20240601)
        for i in range(20):
            c = self.connect()
            try:
                c.send_raw(bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 4096))))
            except OSError:
                pass
            c.wait_closed(0.2)
            c.close()
        self.assert_broker_healthy("after raw random bytes")

    def test_random_payloads_in_valid_frames(self):
        rng = random.Random(7)
        for i in range(60):
            c = self.connect()
            n = rng.randint(8, 600)
            payload = bytearray(rng.getrandbits(8) for _ in range(n))
            if i % 3 == 0:
                # A known api key and supported version with a random body.
                key, maxv = rng.choice(sorted(SERVED.items()))
                version = rng.randint(0, maxv)
                payload[0:4] = struct.pack(">hh", key, version)
                payload[4:8] = struct.pack(">i", 1000 + i)
            try:
                c.send_raw(wire.frame(bytes(payload)))
                c.wait_closed(0.3)
            except OSError:
                pass
            c.close()
            if i % 10 == 9:
                self.assert_broker_healthy("after random payload #%d" % i)
        self.assert_broker_healthy("after random payloads in valid frames")

    def test_many_abrupt_disconnects_with_requests_in_flight(self):
        for i in range(50):
            c = self.connect()
            c.send_request(wire.request_header_v1(wire.METADATA, 1, i), wire.metadata_v1_body(None))
            # RST instead of FIN: the broker may be writing the response as it goes away.
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            c.close()
        self.assert_broker_healthy("after 50 abrupt disconnects")


class VersionsAndKeysTest(RobustnessTestCase):

    def test_unknown_api_key_is_refused_without_crash(self):
        c = self.connect()
        c.send_request(wire.request_header_v1(999, 0, 77), b"\x00" * 8)
        self.assert_closed_or_error_response(c, 77, "api key 999")
        self.assert_broker_healthy("after api key 999")
        c = self.connect()
        c.send_request(wire.request_header_v1(-1, 0, 78), b"")
        self.assert_closed_or_error_response(c, 78, "api key -1")
        self.assert_broker_healthy("after api key -1")

    def test_unsupported_metadata_version_is_refused_without_crash(self):
        c = self.connect()
        c.send_request(wire.request_header_v1(wire.METADATA, 50, 79), wire.metadata_v1_body(None))
        self.assert_closed_or_error_response(c, 79, "Metadata v50")
        self.assert_broker_healthy("after Metadata v50")
        c = self.connect()
        c.send_request(wire.request_header_v1(wire.FETCH, -3, 80), b"")
        self.assert_closed_or_error_response(c, 80, "Fetch v-3")
        self.assert_broker_healthy("after Fetch v-3")

    def test_api_versions_v99_answers_unsupported_version_with_v0_body(self):
        c = self.connect()
        r = c.roundtrip(wire.API_VERSIONS, 99, 4242, b"", flexible_header=True)
        resp = wire.parse_api_versions_v0(r)
        self.assertEqual(resp["error_code"], wire.UNSUPPORTED_VERSION, resp)
        self.assertTrue(resp["api_keys"], "the v0 body must still list the supported versions")
        keys = {k: (lo, hi) for k, lo, hi in resp["api_keys"]}
        self.assertEqual(keys.get(wire.API_VERSIONS), (0, SERVED[wire.API_VERSIONS]), resp)
        self.assert_broker_healthy("after ApiVersions v99")

    def test_api_versions_v0_lists_served_apis(self):
        c = self.connect()
        r = c.roundtrip(wire.API_VERSIONS, 0, 1)
        resp = wire.parse_api_versions_v0(r)
        self.assertEqual(resp["error_code"], 0)
        self.assertEqual(r.remaining(), 0, "trailing bytes in the ApiVersions v0 response")
        keys = {k: (lo, hi) for k, lo, hi in resp["api_keys"]}
        for key, maxv in SERVED.items():
            self.assertEqual(keys.get(key), (0, maxv), "api key %d in %r" % (key, keys))

    def test_api_versions_v3_with_flexible_header(self):
        c = self.connect()
        r = c.roundtrip(wire.API_VERSIONS, 3, 99, wire.api_versions_v3_body(),
                        flexible_header=True)
        resp = wire.parse_api_versions_v3(r)
        self.assertEqual(r.remaining(), 0, "trailing bytes in the ApiVersions v3 response")
        self.assertEqual(resp["error_code"], 0, resp)
        keys = {k: (lo, hi) for k, lo, hi in resp["api_keys"]}
        self.assertEqual(keys.get(0, (None, None))[1], 13, keys)
        self.assertEqual(keys.get(1, (None, None))[1], 18, keys)
        for k, (lo, hi) in keys.items():
            self.assertEqual(lo, 0, "api key %d min version" % k)
            self.assertGreaterEqual(hi, lo)
        for key, maxv in SERVED.items():
            self.assertEqual(keys.get(key), (0, maxv), "api key %d" % key)
        self.assert_broker_healthy("after ApiVersions v3")

    def test_null_and_empty_client_id_are_accepted(self):
        for client_id in (None, ""):
            c = self.connect()
            hdr = wire.Writer().int16(wire.METADATA).int16(1).int32(3).string(client_id).bytes()
            c.send_request(hdr, wire.metadata_v1_body(None))
            r = wire.Reader(c.recv_frame())
            self.assertEqual(r.int32(), 3)
            md = wire.parse_metadata_v1(r)
            self.assertEqual(md["brokers"][0]["node_id"], 0)

    def test_pipelined_requests_are_answered_in_order(self):
        c = self.connect()
        ids = list(range(100, 140))
        data = b""
        for i in ids:
            if i % 2:
                data += wire.frame(wire.request_header_v1(wire.API_VERSIONS, i % 3, i))
            else:
                data += wire.frame(wire.request_header_v1(wire.METADATA, 1, i)
                                   + wire.metadata_v1_body(None))
        c.send_raw(data)
        got = []
        for _ in ids:
            got.append(struct.unpack(">i", c.recv_frame()[:4])[0])
        self.assertEqual(got, ids)

    def test_many_concurrent_connections(self):
        conns = [self.connect() for _ in range(64)]
        for i, c in enumerate(conns):
            c.send_request(wire.request_header_v1(wire.METADATA, 1, i), wire.metadata_v1_body(None))
        for i, c in enumerate(conns):
            r = wire.Reader(c.recv_frame())
            self.assertEqual(r.int32(), i)
            self.assertEqual(wire.parse_metadata_v1(r)["brokers"][0]["node_id"], 0)
        for c in conns:
            c.close()
        self.assert_broker_healthy("after 64 concurrent connections")


class ProduceValidationTest(RobustnessTestCase):

    def high_watermark(self, topic):
        err, _, off = wire.list_offsets_v1(self.broker.port, topic, {0: -1})[0]
        self.assertEqual(err, 0)
        return off

    def test_valid_hand_built_batch_is_stored(self):
        topic = self.create_topic()
        err, base = wire.produce_v3(self.broker.port, topic, 0,
                                    wire.record_batch([(b"k0", b"v0"), (None, b"v1")]))
        self.assertEqual((err, base), (0, 0))
        err, base = wire.produce_v3(self.broker.port, topic, 0, wire.record_batch([(b"k2", b"v2")]))
        self.assertEqual((err, base), (0, 2))
        self.assertEqual(self.high_watermark(topic), 3)

    def test_batch_with_bad_crc_is_rejected_and_not_stored(self):
        topic = self.create_topic()
        good = wire.record_batch([(b"k", b"good")])
        self.assertEqual(wire.produce_v3(self.broker.port, topic, 0, good), (0, 0))
        bad = bytearray(wire.record_batch([(b"k", b"evil")]))
        bad[-3] ^= 0xFF  # flip a byte inside the record: the CRC no longer matches
        err, _ = wire.produce_v3(self.broker.port, topic, 0, bytes(bad))
        self.assertEqual(err, 2, "expected CORRUPT_MESSAGE (2) for a CRC mismatch, got %d" % err)
        self.assertEqual(self.high_watermark(topic), 1)
        self.assert_broker_healthy("after a corrupt batch")
        # The log still works.
        self.assertEqual(wire.produce_v3(self.broker.port, topic, 0, good)[0], 0)
        self.assertEqual(self.high_watermark(topic), 2)

    def test_garbage_records_are_rejected_and_not_stored(self):
        topic = self.create_topic()
        rng = random.Random(3)
        for n in (1, 11, 61, 70, 500):
            junk = bytes(rng.getrandbits(8) for _ in range(n))
            err, _ = wire.produce_v3(self.broker.port, topic, 0, junk)
            self.assertNotEqual(err, 0, "%d bytes of junk were accepted as records" % n)
        # Batch whose length field claims more than is there.
        good = bytearray(wire.record_batch([(b"k", b"v")]))
        good[8:12] = struct.pack(">i", len(good) + 100)
        err, _ = wire.produce_v3(self.broker.port, topic, 0, bytes(good))
        self.assertNotEqual(err, 0, "a batch with an overlong length was accepted")
        self.assertEqual(self.high_watermark(topic), 0)
        self.assert_broker_healthy("after junk Produce payloads")

    def test_fetch_error_partitions_carry_empty_not_null_records(self):
        # Kafka answers an errored partition with an empty record set; librdkafka treats
        # a null (-1) one as a protocol parse failure and drops the whole response.
        topic = self.create_topic()
        wire.produce_v3(self.broker.port, topic, 0, wire.record_batch([(None, b"x")]))
        for version in (4, 5, 11):
            for partition, offset, expect_err in ((0, 1000, wire.OFFSET_OUT_OF_RANGE),
                                                  (42, 0, wire.UNKNOWN_TOPIC_OR_PARTITION)):
                with self.subTest(version=version, partition=partition):
                    res = wire.fetch(self.broker.port, version, topic, partition, offset)
                    self.assertEqual(res["error_code"], expect_err, res)
                    self.assertEqual(res["records_length"], 0,
                                     "Fetch v%d error partition: records must be empty, "
                                     "not null: %r" % (version, res))
        res = wire.fetch(self.broker.port, 11, topic, 0, 0)
        self.assertEqual((res["error_code"], res["high_watermark"]), (0, 1))
        self.assertGreater(res["records_length"], 0)

    def test_produce_to_unknown_partition_is_refused(self):
        topic = self.create_topic()
        err, _ = wire.produce_v3(self.broker.port, topic, 57, wire.record_batch([(None, b"x")]))
        self.assertEqual(err, wire.UNKNOWN_TOPIC_OR_PARTITION)
        self.assert_broker_healthy()



class TopicNameTest(RobustnessTestCase):
    """Topic names become directory names: anything outside Kafka's legal names
    ([a-zA-Z0-9._-], 1..249 chars, not "." or "..") must be refused, never created."""

    BAD_NAMES = ["../escape", "../../escape2", "a/b", "/abs", ".", "..", "sp ace", "x" * 250,
                 "new\nline", "nul\x00byte", "dollar$"]

    def test_invalid_topic_names_are_refused_and_nothing_is_created(self):
        import os
        before = set(os.listdir(self.broker.tmpdir))
        for name in self.BAD_NAMES:
            md = wire.metadata_v1(self.broker.port, [name])  # v1 requests auto-creation
            self.assertEqual(len(md["topics"]), 1, md)
            t = md["topics"][0]
            self.assertIn(t["error_code"], (17, 3),
                          "Metadata for invalid topic name %r: expected INVALID_TOPIC_EXCEPTION "
                          "(17), got %r" % (name, t))
            self.assertFalse(t["partitions"], "invalid topic %r has partitions: %r" % (name, t))
            self.assert_broker_healthy("after Metadata for topic %r" % name)
        names = [t["name"] for t in wire.metadata_v1(self.broker.port, None)["topics"]]
        for name in self.BAD_NAMES:
            self.assertNotIn(name, names)
        self.assertEqual(set(os.listdir(self.broker.tmpdir)), before,
                         "files appeared next to the data dir")
        self.assertFalse(os.path.exists(os.path.join(self.broker.data_dir, "topics", "a")))
        self.assertFalse(os.path.exists("/abs"))

    def test_invalid_topic_name_in_produce_is_refused(self):
        for name in ("../escape", "a/b", ".."):
            err, _ = wire.produce_v3(self.broker.port, name, 0, wire.record_batch([(None, b"x")]))
            self.assertIn(err, (17, 3), "Produce to %r returned %d" % (name, err))
        self.assert_broker_healthy()

    def test_longest_legal_name_works(self):
        name = "a" * 249

        def ready():
            t = wire.metadata_v1(self.broker.port, [name])["topics"][0]
            return t["error_code"] == 0 and t["partitions"]

        wait_until(ready, 20, 0.2, "249-character topic")
        err, base = wire.produce_v3(self.broker.port, name, 0, wire.record_batch([(None, b"x")]))
        self.assertEqual((err, base), (0, 0))


class AcksZeroTest(RobustnessTestCase):

    def test_acks_0_produce_gets_no_response_and_next_request_is_answered(self):
        topic = self.create_topic()
        c = self.connect()
        body = wire.produce_v3_body(topic, 0, wire.record_batch([(b"k", b"fire-and-forget")]),
                                    acks=0)
        c.send_request(wire.request_header_v1(wire.PRODUCE, 3, 500), body)
        c.send_request(wire.request_header_v1(wire.METADATA, 1, 501), wire.metadata_v1_body(None))
        r = wire.Reader(c.recv_frame())
        self.assertEqual(r.int32(), 501, "acks=0 Produce must not be answered")
        wait_until(lambda: wire.list_offsets_v1(self.broker.port, topic, {0: -1})[0][2] == 1,
                   10, 0.1, "the acks=0 record to be appended")



class MetadataSemanticsTest(RobustnessTestCase):
    broker_flags = {"default_partitions": 3}

    def _metadata_v0_all(self, body):
        with wire.Connection(self.broker.port) as c:
            r = c.roundtrip(wire.METADATA, 0, 1, body)
            r.array(lambda r: (r.int32(), r.string(), r.int32()))

            def partition(r):
                return (r.int16(), r.int32(), r.int32(), r.array(lambda r: r.int32()),
                        r.array(lambda r: r.int32()))

            return {name: (err, parts) for err, name, parts in
                    r.array(lambda r: (r.int16(), r.string(), r.array(partition)))}

    def test_empty_and_null_topic_lists_follow_each_version(self):
        self.create_topic()
        # v0: an empty list means all topics.
        topics = self._metadata_v0_all(wire.Writer().int32(0).bytes())
        self.assertEqual(len(topics), 1, topics)
        (err, parts), = topics.values()
        self.assertEqual((err, len(parts)), (0, 3))
        # v1+: an empty list means no topics, null means all.
        with wire.Connection(self.broker.port) as c:
            md = wire.parse_metadata_v1(c.roundtrip(wire.METADATA, 1, 2, wire.Writer().int32(0).bytes()))
        self.assertEqual(md["topics"], [])
        self.assertEqual(len(wire.metadata_v1(self.broker.port, None)["topics"]), 1)

    def test_metadata_v4_without_auto_creation_does_not_create(self):
        topic = unique_name("noauto")
        with wire.Connection(self.broker.port) as c:
            body = wire.Writer().array([topic], lambda w, t: w.string(t)).int8(0).bytes()
            r = c.roundtrip(wire.METADATA, 4, 5, body)
            r.int32()  # throttle
            r.array(lambda r: (r.int32(), r.string(), r.int32(), r.string()))
            r.string()  # cluster id
            r.int32()  # controller
            topics = r.array(lambda r: (r.int16(), r.string(), r.boolean(), r.array(lambda r: 1)))
        self.assertEqual(topics, [(wire.UNKNOWN_TOPIC_OR_PARTITION, topic, False, [])])
        self.assertEqual(wire.metadata_v1(self.broker.port, None)["topics"], [])

    def test_create_topics_v4_with_default_partitions_and_replication(self):
        topic = unique_name("dflt")
        w = wire.Writer()
        w.array([topic], lambda w, t: (w.string(t), w.int32(-1), w.int16(-1), w.int32(0), w.int32(0)))
        w.int32(5000).int8(0)
        with wire.Connection(self.broker.port) as c:
            r = c.roundtrip(wire.CREATE_TOPICS, 4, 3, w.bytes())
            r.int32()
            res = r.array(lambda r: (r.string(), r.int16(), r.string()))
        self.assertEqual(res, [(topic, 0, None)])
        md = wire.metadata_v1(self.broker.port, [topic])
        self.assertEqual(len(md["topics"][0]["partitions"]), 3)


if __name__ == "__main__":
    unittest.main()
