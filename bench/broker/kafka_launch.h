// --compare kafka: how bench_broker starts a one-node Apache Kafka (KRaft) beside
// `sluice broker`, through tests/kafka_dist.py's `cluster` command with Kafka's own
// jars (pinned by scripts/install-kafka.sh), on the same filesystem and with the
// durability that matches a sluice --flush mode.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "broker_process.h"

namespace sluice::bench {

// server.properties settings matching `sluice broker --flush FLUSH`: "always" is
// log.flush.interval.messages=1 (an fsync per appended batch); "Nms" is
// log.flush.interval.ms=N. Throws std::invalid_argument for anything else.
std::vector<std::string> kafka_flush_settings(const std::string& flush);

// The launch of that node: data and server.log under `dir`, auto-created topics
// with `partitions` partitions. Its ready line names the node's JVM as pid=N.
BrokerLaunch kafka_launch(const std::filesystem::path& dir, const std::filesystem::path& log_file,
                          const std::string& flush, int32_t partitions);

}  // namespace sluice::bench
