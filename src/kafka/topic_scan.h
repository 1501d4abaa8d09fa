// Reads a whole topic once — every partition from its start (or from a point
// in time) up to the end offsets seen when the scan began — without joining a
// consumer group or committing anything, so scanning never disturbs the
// pipeline's own consumers. Used by `sluice validate` and the `sluice up`
// summary to reconcile what went in with what came out.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kafka/types.h"

namespace sluice::kafka {

struct ScannedRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  std::optional<std::string> key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;

  const std::string* header(const std::string& name) const;
};

// Calls `visit` for each record, partition by partition in offset order.
// A topic that does not exist scans as empty. Throws KafkaError when the
// cluster cannot be reached or a partition cannot be read to its end in time.
// `since_ms` >= 0 starts each partition at the first record at or after it.
void scan_topic(const Endpoint& endpoint, const std::string& topic,
                const std::function<void(const ScannedRecord&)>& visit, int64_t since_ms = -1);

}  // namespace sluice::kafka
