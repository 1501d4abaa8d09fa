"""The `avro-decode` stage end to end: a real `sluice broker`, a real `sluice
registry`, ticks written by confluent-kafka's AvroSerializer (PyPI venv) with two
compatible schema versions, and `sluice run` of one avro-decode stage pinned to
version 1. Every tick arrives as JSON in version 1's shape (timestamps as ISO-8601
text); values that are not Confluent Avro and an unknown schema id go to the DLQ
with their reasons."""

import json
import os
import subprocess
import unittest

import broker  # noqa: F401
import stage_fixture
from registry_process import RegistryProcess

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
VENV_PYTHON = os.path.join(REPO_ROOT, ".cache", "pyclients", "venv", "bin", "python")
N = 20  # ticks per schema version


def setUpModule():
    subprocess.run([os.path.join(REPO_ROOT, "scripts", "install-py-clients.sh")], check=True,
                   timeout=900)


class AvroDecodeStageTest(stage_fixture.OneStageTest):
    def setUp(self):
        super().setUp()
        self.registry = RegistryProcess(self.broker.bootstrap, self.tmp).start()

    def tearDown(self):
        self.registry.stop()
        super().tearDown()

    def test_ticks_of_two_versions_decode_to_the_pinned_reader_and_bad_values_go_to_the_dlq(self):
        probe = subprocess.run([VENV_PYTHON, os.path.join(HERE, "avro_decode_probe.py"),
                                self.registry.url, self.broker.bootstrap, self.input, str(N)],
                               capture_output=True, text=True, timeout=120, cwd=HERE)
        self.assertEqual(probe.returncode, 0, probe.stderr)
        ids = json.loads(probe.stdout)["schema_ids"]
        self.assertEqual(len(ids), 2, probe.stdout)
        reader = os.path.join(self.tmp, "tick-v1.avsc")  # the stage is pinned to version 1
        with open(reader, "w") as f:
            f.write(json.loads(probe.stdout)["v1"])
        path = os.path.join(self.tmp, "pipeline.yaml")
        with open(path, "w") as f:
            f.write("pipeline: avro\nbootstrap: %s\nstages:\n  - name: decode\n    input: %s\n"
                    "    outputs: [%s]\n    processor: avro-decode\n    options:\n"
                    "      registry: %s\n      reader_schema: %s\n"
                    % (self.broker.bootstrap, self.input, self.output, self.registry.url, reader))
        self.produce(["not avro", "\x00\x00\x00\x27\x0f\x02"])  # wrong magic; id 9999
        self.start_stage(path)

        out = stage_fixture.read_topic(self.broker.bootstrap, self.output, 2 * N)
        ticks = sorted((json.loads(m.value()) for m in out), key=lambda t: t["exchange_sequence_number"])
        self.assertEqual([t["exchange_sequence_number"] for t in ticks], list(range(2 * N)))
        self.assertNotIn("bid", ticks[-1])  # version 2's field, dropped by the pinned reader
        self.assertEqual(ticks[0]["exchange_timestamp"], "2023-11-14T22:13:20Z")
        self.assertEqual(ticks[1]["exchange_timestamp"], "2023-11-14T22:13:20.000001Z")
        self.assertEqual({m.key() for m in out}, {b"ASX.BHP"})

        dlq = stage_fixture.read_topic(self.broker.bootstrap, self.input + ".dlq", 2)
        reasons = sorted(dict(m.headers() or [])["sluice.error.message"].decode() for m in dlq)
        self.assertEqual(len(reasons), 2, reasons)
        self.assertIn("not Confluent's magic byte 0", reasons[0] + reasons[1])
        self.assertIn("schema id 9999 is not in the registry", reasons[0] + reasons[1])


if __name__ == "__main__":
    unittest.main()
