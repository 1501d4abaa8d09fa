"""The flexible (KIP-482) versions of the data-path and admin APIs, as Kafka's own tools
(the release pinned in scripts/kafka/pom.xml) use them against `sluice broker`.

A Kafka client picks the highest version of each API that both sides speak, so these
tools send ListOffsets v11, DeleteRecords v2, DescribeConfigs v4, CreatePartitions v3,
DescribeAcls/CreateAcls/DeleteAcls v3 and DescribeClientQuotas v1. Each test reads the
versions the tool actually sent from the client's own request log
(kafka_dist.request_log_config()) and checks the tool's output, so a version that is
chosen but answered wrongly fails too. ListOffsets' v7 max-timestamp (-3), v8
earliest-local (-4), v9 latest-tiered (-5) and v11 earliest-pending-upload (-6) lookups
are checked against records with fixed timestamps, before and after DeleteRecords.
InitProducerId v3+'s producer id and epoch are checked at the wire (tests/clients/wire.py);
the Java producer and consumer are in test_java_client.py.

The broker runs with the ACL authorizer and ANONYMOUS as super user, so the ACL tools
have something to manage and everything else is allowed."""

import json
import os
import sys
import tempfile
import unittest

import ck_helpers
import wire
from broker import BrokerProcess, unique_name

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import kafka_dist  # noqa: E402

INIT_PRODUCER_ID = 22
INVALID_REQUEST = 42
# Record timestamps, in offset order: the largest is at offset 1.
TIMESTAMPS = (1_700_000_001_000, 1_700_000_005_000, 1_700_000_003_000)


class FlexibleVersions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.broker = BrokerProcess(authorizer="acl", super_users="User:ANONYMOUS")
        cls.tmp = tempfile.TemporaryDirectory(prefix="sluice-flexible-")

    @classmethod
    def tearDownClass(cls):
        cls.broker.close()
        cls.tmp.cleanup()

    def tool(self, name, *args):
        """Runs a Kafka tool against the broker; returns (stdout, {api: versions sent})."""
        r = kafka_dist.run_tool(name, "--bootstrap-server", self.broker.bootstrap, *args,
                                log_config=kafka_dist.request_log_config())
        self.assertEqual(r.returncode, 0, "%s %s failed:\n%s%s\n%s" % (
            name, " ".join(args), r.stdout, r.stderr[-4000:], self.broker.stderr_tail()))
        return r.stdout, kafka_dist.api_versions_sent(r.stderr)

    def assert_sent(self, sent, api, version):
        self.assertEqual(sent.get(api), {version}, "versions sent per API: %r" % sent)

    def topic_with_records(self):
        topic = unique_name("flex")
        self.tool("kafka-topics", "--create", "--topic", topic, "--partitions", "1")
        p = ck_helpers.producer(self.broker.bootstrap)
        for i, ts in enumerate(TIMESTAMPS):
            p.produce(topic, value=b"r%d" % i, partition=0, timestamp=ts)
            p.flush(30)  # one batch per record: the maximum is inside the log, not at its end
        self.assertEqual(p.flush(30), 0)
        return topic

    def offsets(self, topic, time):
        out, sent = self.tool("kafka-get-offsets", "--topic", topic, "--time", str(time))
        self.assert_sent(sent, "LIST_OFFSETS", 11)
        return out.strip()

    def test_get_offsets_and_delete_records(self):
        topic = self.topic_with_records()
        self.assertEqual(self.offsets(topic, -1), "%s:0:3" % topic)  # latest
        self.assertEqual(self.offsets(topic, -2), "%s:0:0" % topic)  # earliest
        self.assertEqual(self.offsets(topic, -3), "%s:0:1" % topic)  # max timestamp
        self.assertEqual(self.offsets(topic, -4), "%s:0:0" % topic)  # earliest local
        self.assertEqual(self.offsets(topic, TIMESTAMPS[2]), "%s:0:1" % topic)
        # Latest tiered (v9+) and earliest pending upload (v11+): nothing is tiered, so no
        # offset, and GetOffsetShell prints only partitions with one.
        self.assertEqual(self.offsets(topic, -5), "")
        self.assertEqual(self.offsets(topic, -6), "")

        spec = os.path.join(self.tmp.name, topic + ".json")
        with open(spec, "w") as f:
            json.dump({"version": 1,
                       "partitions": [{"topic": topic, "partition": 0, "offset": 2}]}, f)
        out, sent = self.tool("kafka-delete-records", "--offset-json-file", spec)
        self.assert_sent(sent, "DELETE_RECORDS", 2)
        self.assertIn("low_watermark: 2", out)

        # The record with the largest timestamp is gone: the largest left is at offset 2.
        self.assertEqual(self.offsets(topic, -3), "%s:0:2" % topic)
        self.assertEqual(self.offsets(topic, -2), "%s:0:2" % topic)
        self.assertEqual(self.offsets(topic, -4), "%s:0:2" % topic)

    def test_max_timestamp_of_an_empty_partition_is_no_offset(self):
        topic = unique_name("flex-empty")
        self.tool("kafka-topics", "--create", "--topic", topic, "--partitions", "1")
        # GetOffsetShell prints only partitions with an offset.
        self.assertEqual(self.offsets(topic, -3), "")

    def test_describe_configs_and_create_partitions(self):
        topic = unique_name("flex-admin")
        self.tool("kafka-topics", "--create", "--topic", topic, "--partitions", "1",
                  "--config", "retention.ms=3600000")
        out, sent = self.tool("kafka-configs", "--describe", "--entity-type", "topics",
                              "--entity-name", topic)
        self.assert_sent(sent, "DESCRIBE_CONFIGS", 4)
        self.assertIn("retention.ms=3600000", out)

        _, sent = self.tool("kafka-topics", "--alter", "--topic", topic, "--partitions", "3")
        self.assert_sent(sent, "CREATE_PARTITIONS", 3)
        out, _ = self.tool("kafka-topics", "--describe", "--topic", topic)
        self.assertIn("PartitionCount: 3", out)

    def test_describe_client_quotas(self):
        _, sent = self.tool("kafka-configs", "--describe", "--entity-type", "users")
        self.assert_sent(sent, "DESCRIBE_CLIENT_QUOTAS", 1)

    def test_acls_add_list_remove(self):
        topic = unique_name("flex-acl")
        _, sent = self.tool("kafka-acls", "--add", "--allow-principal", "User:bob",
                            "--operation", "Read", "--topic", topic)
        self.assert_sent(sent, "CREATE_ACLS", 3)
        out, sent = self.tool("kafka-acls", "--list", "--topic", topic)
        self.assert_sent(sent, "DESCRIBE_ACLS", 3)
        self.assertIn("principal=User:bob", out)
        self.assertIn("operation=READ", out)
        _, sent = self.tool("kafka-acls", "--remove", "--force", "--topic", topic)
        self.assert_sent(sent, "DELETE_ACLS", 3)
        out, _ = self.tool("kafka-acls", "--list", "--topic", topic)
        self.assertNotIn("User:bob", out)

    def test_a_user_resource_acl_is_refused(self):
        # CreateAcls v3 allows the USER resource type (delegation-token owners); this
        # broker serves no tokens, so the ACL is refused rather than stored.
        r = kafka_dist.run_tool("kafka-acls", "--bootstrap-server", self.broker.bootstrap,
                                "--add", "--allow-principal", "User:bob", "--operation",
                                "DescribeTokens", "--user-principal", "User:carol",
                                log_config=kafka_dist.request_log_config())
        self.assertEqual(kafka_dist.api_versions_sent(r.stderr).get("CREATE_ACLS"), {3})
        self.assertIn("errorCode=%d" % INVALID_REQUEST, r.stderr)
        out, _ = self.tool("kafka-acls", "--list", "--user-principal", "User:carol")
        self.assertNotIn("User:bob", out)

    def init_producer_id_v4(self, producer_id, producer_epoch):
        body = (wire.Writer().uvarint(0)  # transactional_id: null (idempotent producer)
                .int32(60000).int64(producer_id).int16(producer_epoch).tagged_fields().bytes())
        with wire.Connection(self.broker.port) as c:
            r = c.roundtrip(INIT_PRODUCER_ID, 4, 5, body, flexible_header=True)
            r.skip_tagged_fields()  # response header v1
            throttle, error, pid, epoch = r.int32(), r.int16(), r.int64(), r.int16()
            r.skip_tagged_fields()
            self.assertEqual(r.remaining(), 0)
            return error, pid, epoch

    def test_init_producer_id_v4(self):
        error, first, epoch = self.init_producer_id_v4(-1, -1)
        self.assertEqual((error, epoch), (0, 0))
        self.assertGreaterEqual(first, 0)
        # An idempotent producer that held an id gets a fresh one, as from Kafka.
        error, second, epoch = self.init_producer_id_v4(first, 3)
        self.assertEqual((error, epoch), (0, 0))
        self.assertNotEqual(second, first)
        # An id without its epoch (or the reverse) is malformed.
        self.assertEqual(self.init_producer_id_v4(first, -1)[0], INVALID_REQUEST)
        self.assertEqual(self.init_producer_id_v4(-1, 0)[0], INVALID_REQUEST)


if __name__ == "__main__":
    unittest.main()
