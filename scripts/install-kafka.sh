#!/usr/bin/env bash
# Resolves Apache Kafka (broker, tools, Java client; pinned in scripts/kafka/pom.xml) from
# Maven Central into the ignored folder .cache/kafka/, for tests/kafka_dist.py.
#
# Writes .cache/kafka/<name>/classpath (one line, jar paths joined by ':') for each pom:
#   dist  <- scripts/kafka/pom.xml   (kafka_2.13, kafka-tools, kafka-clients, log4j binding)
# and .cache/kafka/<name>/pom.sha256, the pom it was resolved from. Idempotent: a classpath
# whose pom is unchanged and whose jars are all present is kept without running Maven, so
# tests may call this lazily. Needs java and mvn (scripts/install-deps.sh installs both).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cache="${SLUICE_KAFKA_CACHE:-$here/.cache/kafka}"

resolve() {
  local name="$1" pom="$2"
  local out="$cache/$name" sum
  sum="$(sha256sum "$pom" | cut -d' ' -f1)"
  if [ -f "$out/classpath" ] && [ "$(cat "$out/pom.sha256" 2>/dev/null)" = "$sum" ]; then
    local missing=0 jar
    IFS=":" read -r -a jars < "$out/classpath" || true  # no trailing newline
    for jar in "${jars[@]}"; do [ -f "$jar" ] || { missing=1; break; }; done
    [ "$missing" = 0 ] && return 0
  fi
  command -v mvn >/dev/null || { echo "install-kafka: mvn not found; run scripts/install-deps.sh" >&2; exit 1; }
  mkdir -p "$out"
  echo "install-kafka: resolving $pom into $cache (Maven Central)"
  # Its own local repository keeps the jars inside the ignored cache and apart from other
  # projects' ~/.m2; -B: no progress bars in CI logs.
  if ! mvn -B -q -f "$pom" -Dmaven.repo.local="$cache/m2" dependency:build-classpath \
        -Dmdep.includeScope=runtime -Dmdep.outputFile="$out/classpath.tmp" >"$out/mvn.log" 2>&1; then
    cat "$out/mvn.log" >&2
    echo "install-kafka: Maven could not resolve $pom (log above; is Maven Central reachable?)" >&2
    exit 1
  fi
  mv "$out/classpath.tmp" "$out/classpath"
  echo "$sum" > "$out/pom.sha256"
}

resolve dist "$here/scripts/kafka/pom.xml"
echo "Apache Kafka jars are in $cache"
