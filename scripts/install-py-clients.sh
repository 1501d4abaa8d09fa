#!/usr/bin/env bash
# Installs the current Python Kafka clients and delta-rs (pinned in scripts/py-clients/requirements.txt:
# confluent-kafka 2.x with its own librdkafka and its Avro/Schema Registry extra, kafka-python
# 3.x) into a venv under the ignored folder .cache/pyclients/, for
# tests/clients/test_pypi_clients.py and test_schema_registry.py. Idempotent: a
# stamp holds the requirements' checksum, so a second run only checks it.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="$here/.cache/pyclients/venv"
requirements="$here/scripts/py-clients/requirements.txt"
sum="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ "$(cat "$venv/.installed" 2>/dev/null)" != "$sum" ]; then
  echo "installing the PyPI Kafka clients into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  echo "$sum" >"$venv/.installed"
fi
echo "PyPI Kafka clients are in $venv"
