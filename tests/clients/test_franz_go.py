"""franz-go, a strict modern Kafka client for Go (pinned in tests/clients/go/franzprobe/
go.sum, built by scripts/install-go-client.sh), against `sluice broker`: its admin client
creates a topic with a config, an idempotent acks=all producer writes records with keys
and headers, a consumer group reads every one back and commits, and the admin client
reads the committed offsets and the topic's configs (go/franzprobe/main.go). franz-go
logs the version of each request it writes (-log-requests): every API it sends must be at
the highest version the broker serves, which for all but the consumer-group APIs is the
latest of Kafka 4.4 (franz-go knows them all: Produce v13 and Fetch v18 by topic id)."""

import json
import os
import re
import subprocess
import unittest

import broker  # noqa: F401
import wire
from broker import BrokerTestCase, unique_name

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROBE = os.path.join(REPO_ROOT, ".cache", "go", "bin", "franzprobe")
# franz-go's names (kmsg.NameForKey) of the APIs it sends to a broker like sluice.
API_KEYS = {"Produce": 0, "Fetch": 1, "ListOffsets": 2, "Metadata": 3, "OffsetCommit": 8,
            "OffsetFetch": 9, "FindCoordinator": 10, "JoinGroup": 11, "Heartbeat": 12,
            "LeaveGroup": 13, "SyncGroup": 14, "DescribeGroups": 15, "ListGroups": 16,
            "ApiVersions": 18, "CreateTopics": 19, "DeleteTopics": 20, "InitProducerID": 22,
            "DescribeConfigs": 32, "DescribeCluster": 60}
WROTE = re.compile(r"wrote (\w+) v(\d+)")


def setUpModule():
    # Idempotent and quick once built; builds from the pinned sources otherwise.
    subprocess.run([os.path.join(REPO_ROOT, "scripts", "install-go-client.sh")], check=True,
                   timeout=900)


class FranzGo(BrokerTestCase):
    def probe(self, topic, group, n, *flags):
        r = subprocess.run([PROBE, "-brokers", self.broker.bootstrap, "-topic", topic, "-group", group,
                            "-n", str(n), "-partitions", "3"] + list(flags), capture_output=True,
                           text=True, timeout=180)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr[-4000:] + self.broker_log())
        return json.loads(r.stdout.strip().splitlines()[-1]), r.stderr

    def test_admin_produce_group_consume_and_commit(self):
        topic, group = unique_name("franz"), unique_name("franz-group")
        seen, _ = self.probe(topic, group, 500)
        self.assertEqual(seen, {"produced": 500, "consumed": 500, "committed": 500, "partitions": 3,
                                "configs": {"retention.ms": "86400000"}})

    def test_sends_every_api_at_the_latest_version_served(self):
        served = wire.served_versions(self.broker.port)
        seen, log = self.probe(unique_name("franz-latest"), unique_name("franz-latest-group"), 20,
                               "-log-requests")
        self.assertEqual(seen["consumed"], 20)
        sent = {}
        for api, version in WROTE.findall(log):
            sent.setdefault(api, set()).add(int(version))
        for api, versions in sorted(sent.items()):
            self.assertIn(api, API_KEYS, "an API sluice does not serve: %r" % sent)
            self.assertEqual(versions, {served[API_KEYS[api]]},
                             "%s: versions sent per API: %r; served: %r" % (api, sent, served))
        for api in ("ApiVersions", "Metadata", "CreateTopics", "InitProducerID", "Produce",
                    "FindCoordinator", "JoinGroup", "SyncGroup", "Fetch", "OffsetCommit",
                    "OffsetFetch", "DescribeConfigs"):
            self.assertIn(api, sent, "never sent; versions sent per API: %r" % sent)


if __name__ == "__main__":
    unittest.main()
