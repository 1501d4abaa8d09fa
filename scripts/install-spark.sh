#!/usr/bin/env bash
# Installs Apache Spark for the oracle test (tests/lake/spark/) and bench/iot: a pinned
# pyspark in a Python venv and Spark's Kafka source with its dependencies, resolved
# by Maven from tests/lake/spark/pom.xml. Both live under .cache/spark/ (ignored by git).
# Idempotent: a stamp file per part records the pinned version it was installed at,
# so a second run only checks the stamps, and a changed pin reinstalls.
# Called by scripts/install-deps.sh (which installs Java 17, Maven and python3-venv).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cache="$here/.cache/spark"
pyspark_version="$(sed -n 's/^pyspark==//p' "$here/tests/lake/spark/requirements.txt")"
pom="$here/tests/lake/spark/pom.xml"
mkdir -p "$cache"

venv="$cache/venv"
if [ "$(cat "$venv/.installed" 2>/dev/null)" != "pyspark==$pyspark_version" ]; then
  echo "installing pyspark $pyspark_version into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/tests/lake/spark/requirements.txt"
  echo "pyspark==$pyspark_version" >"$venv/.installed"
fi

# The Kafka source is not inside pyspark; Maven copies it and its runtime
# dependencies (kafka-clients, commons-pool2, ...) into jars/, which the tests put on
# spark.jars. The stamp is the pom's checksum: a changed pin resolves again.
jars="$cache/jars"
pom_sum="$(sha256sum "$pom" | cut -d' ' -f1)"
if [ "$(cat "$jars/.installed" 2>/dev/null)" != "$pom_sum" ]; then
  echo "resolving Spark's Kafka source into $jars"
  rm -rf "$jars"
  mvn -q -B -f "$pom" -Dmaven.repo.local="$cache/m2" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$jars"
  echo "$pom_sum" >"$jars/.installed"
fi
echo "spark is installed: $venv, $jars"
