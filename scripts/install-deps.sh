#!/usr/bin/env bash
# Installs everything sluice needs to build and test on Debian 12 (bookworm).
# Idempotent; needs root (or sudo).
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
packages=(
  build-essential cmake ninja-build pkg-config clang-format
  ccache  # CI's three builds reuse what an earlier run on the same machine compiled (.ci/run)
  clang libclang-rt-14-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  librdkafka-dev libfmt-dev libcli11-dev
  libzstd-dev liblz4-dev libsnappy-dev zlib1g-dev
  libjemalloc-dev  # the sluice binary's allocator (docs/performance.md, "Allocator")
  libyaml-cpp-dev libsimdjson-dev libcurl4-openssl-dev
  libcpp-httplib-dev libssl-dev prometheus
  kcat python3 python3-kafka python3-confluent-kafka
  zsh  # tests/clients/test_cli_shell.py runs the generated zsh completion in a real zsh
  openjdk-17-jdk-headless maven  # Apache Kafka's broker, tools and Java client (install-kafka.sh)
  python3-venv  # Apache Spark, the oracle of tests/lake/test_spark_oracle.py (install-spark.sh)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
# Node.js may come from elsewhere (NodeSource ships npm inside nodejs); use Debian's only if absent.
if ! command -v npm >/dev/null; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm
fi
# Independent readers for the lake tests (DuckDB) and an S3-compatible server (s3rver).
here="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -d "$here/tests/lake/node_modules/@duckdb/node-api" ] || [ ! -d "$here/tests/lake/node_modules/s3rver" ]; then
  (cd "$here/tests/lake" && npm ci --no-audit --no-fund --loglevel=error)
fi
# Apache Kafka itself (broker, tools, Java client) from Maven Central into .cache/kafka/.
"$here/scripts/install-kafka.sh"
# Apache Spark (pinned pyspark in a venv, its Kafka source from Maven) under .cache/spark/.
"$here/scripts/install-spark.sh"
# franz-go, a Go Kafka client (pinned in its go.sum), as a test program under .cache/go/.
"$here/scripts/install-go-client.sh"
# confluent-kafka 2.x and kafka-python 3.x from PyPI in a venv under .cache/pyclients/.
"$here/scripts/install-py-clients.sh"
# MinIO, the seed systems' S3 server (pinned, built from the Go module proxy) under .cache/minio/.
"$here/scripts/install-minio.sh"
echo "build dependencies are installed"
