// What the broker does with a refused request besides answering the error:
// counts it by resource type and operation (for /metrics) and logs it at WARN
// — at most one line per interval, so a client retrying in a loop cannot
// flood the log; the next line says how many denials went unlogged.
// Client-supplied names are escaped in the line. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string_view>
#include <utility>

#include "broker/acl/acl_authorizer.h"

namespace sluice::broker::acl {

class Denials {
 public:
  Denials() = default;
  explicit Denials(int64_t log_interval_ms) : log_interval_ms_(log_interval_ms) {}

  // `api` names the Kafka API that was refused, for the log line.
  void record(std::string_view api, const Requester& who, Operation op, const Resource& resource);

  using Key = std::pair<ResourceType, Operation>;
  std::map<Key, uint64_t> counts() const;

 private:
  const int64_t log_interval_ms_ = 5000;
  mutable std::mutex mu_;
  std::map<Key, uint64_t> counts_;
  int64_t next_log_ms_ = 0;  // monotonic; a denial at or after it is logged
  uint64_t unlogged_ = 0;
};

}  // namespace sluice::broker::acl
