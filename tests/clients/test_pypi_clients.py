"""Current Python Kafka clients from PyPI (scripts/py-clients/requirements.txt:
confluent-kafka 2.x with its own librdkafka, kafka-python 3.x) against `sluice broker`,
beside the Debian packages the other tests use. Each runs pypi_probe.py in the venv of
scripts/install-py-clients.sh: admin create and config changes (incremental for
confluent-kafka, the legacy AlterConfigs for kafka-python), an idempotent acks=all
producer with keys and headers, a consumer group that reads every record and commits,
then the committed offsets and the configs read back."""

import json
import os
import subprocess
import unittest

import broker  # noqa: F401
from broker import BrokerTestCase, unique_name

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
VENV_PYTHON = os.path.join(REPO_ROOT, ".cache", "pyclients", "venv", "bin", "python")


def setUpModule():
    subprocess.run([os.path.join(REPO_ROOT, "scripts", "install-py-clients.sh")], check=True,
                   timeout=900)


class PypiClients(BrokerTestCase):
    def probe(self, client, n=300):
        topic, group = unique_name(client), unique_name(client + "-group")
        # A clean environment: the venv's packages, not Debian's dist-packages.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        r = subprocess.run([VENV_PYTHON, os.path.join(HERE, "pypi_probe.py"), client,
                            self.broker.bootstrap, topic, group, str(n)],
                           capture_output=True, text=True, timeout=180, env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr + self.broker_log())
        return json.loads(r.stdout.strip().splitlines()[-1])

    def test_confluent_kafka_2(self):
        self.assertEqual(self.probe("confluent-kafka"),
                         {"produced": 300, "consumed": 300, "committed": 300,
                          "configs": {"retention.ms": "86400000", "segment.bytes": "2000000"}})

    def test_kafka_python_3(self):
        self.assertEqual(self.probe("kafka-python"),
                         {"produced": 300, "consumed": 300, "committed": 300,
                          "configs": {"retention.ms": "86400000", "segment.bytes": "2000000"}})


if __name__ == "__main__":
    unittest.main()
