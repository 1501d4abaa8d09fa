"""franz-go, a strict modern Kafka client for Go (pinned in tests/clients/go/franzprobe/
go.sum, built by scripts/install-go-client.sh), against `sluice broker`: its admin client
creates a topic with a config, an idempotent acks=all producer writes records with keys
and headers, a consumer group reads every one back and commits, and the admin client
reads the committed offsets and the topic's configs (go/franzprobe/main.go)."""

import json
import os
import subprocess
import unittest

import broker  # noqa: F401
from broker import BrokerTestCase, unique_name

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROBE = os.path.join(REPO_ROOT, ".cache", "go", "bin", "franzprobe")


def setUpModule():
    # Idempotent and quick once built; builds from the pinned sources otherwise.
    subprocess.run([os.path.join(REPO_ROOT, "scripts", "install-go-client.sh")], check=True,
                   timeout=900)


class FranzGo(BrokerTestCase):
    def probe(self, topic, group, n):
        r = subprocess.run([PROBE, "-brokers", self.broker.bootstrap, "-topic", topic, "-group", group,
                            "-n", str(n), "-partitions", "3"], capture_output=True, text=True, timeout=180)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr + self.broker_log())
        return json.loads(r.stdout.strip().splitlines()[-1])

    def test_admin_produce_group_consume_and_commit(self):
        topic, group = unique_name("franz"), unique_name("franz-group")
        seen = self.probe(topic, group, 500)
        self.assertEqual(seen, {"produced": 500, "consumed": 500, "committed": 500, "partitions": 3,
                                "configs": {"retention.ms": "86400000"}})


if __name__ == "__main__":
    unittest.main()
