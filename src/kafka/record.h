// The one record type sluice reads from Kafka, the one it writes, and the one
// definition of every `sluice.*` header name. The stage runtime, its processors
// and the operator commands (`sluice dlq`, reconcile) all see records in this
// shape, so a header written by one is found under the same name by the others.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::kafka {

// Kafka allows a header name more than once; order is kept as received.
using Headers = std::vector<std::pair<std::string, std::string>>;

// Headers sluice writes. The runtime re-routes failing records with them (see
// pipeline/reroute.h); `sluice dlq` reads them back.
namespace header {
inline constexpr const char* kTraceId = "sluice.trace_id";
inline constexpr const char* kStage = "sluice.stage";
inline constexpr const char* kCategory = "sluice.error.category";
inline constexpr const char* kMessage = "sluice.error.message";
inline constexpr const char* kAttempts = "sluice.attempts";
inline constexpr const char* kOriginalTopic = "sluice.original.topic";
inline constexpr const char* kOriginalPartition = "sluice.original.partition";
inline constexpr const char* kOriginalOffset = "sluice.original.offset";
inline constexpr const char* kFirstFailedAt = "sluice.first_failed_at";
inline constexpr const char* kLastFailedAt = "sluice.last_failed_at";
inline constexpr const char* kRetryLevel = "sluice.retry.level";
inline constexpr const char* kNotBefore = "sluice.retry.not_before";
// Set by `sluice dlq replay` on the re-produced record.
inline constexpr const char* kReplayedFrom = "sluice.replayed_from";
inline constexpr const char* kReplayCount = "sluice.replay_count";
// Set by window-aggregate on a late record: the window it missed
// ("<start>/<end>", ISO-8601 UTC) and the watermark it was behind.
inline constexpr const char* kWindowMissed = "sluice.window.missed";
inline constexpr const char* kWindowWatermark = "sluice.window.watermark";
// Every header above starts with this; re-routing replaces them rather than copying.
inline constexpr std::string_view kPrefix = "sluice.";
}  // namespace header

// One record as consumed.
struct Record {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  std::optional<std::string> key;  // nullopt: null key
  std::string value;
  bool null_value = false;  // a tombstone: `value` is empty and was null on the wire
  Headers headers;

  // The first header called `name`, or nullptr. By string_view: callers pass
  // header::k* constants, and a std::string parameter would allocate for every
  // lookup of a name over 15 characters.
  const std::string* header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return &v;
    }
    return nullptr;
  }
  // The last header called `name`, or nullptr: where a repeated header means "the
  // newest wins" (a DLQ record edited by hand, or re-labelled on a replay).
  const std::string* last_header(std::string_view name) const {
    const std::string* found = nullptr;
    for (const auto& [k, v] : headers) {
      if (k == name) found = &v;
    }
    return found;
  }
};

// One record to produce; the partition is chosen by the key unless `partition` names one.
struct OutputRecord {
  std::string topic;
  std::optional<std::string> key;  // nullopt: null key
  std::string value;
  Headers headers;
  bool null_value = false;           // produce a tombstone (value must be empty)
  std::optional<int32_t> partition;  // nullopt: the partitioner picks (by key)
};

}  // namespace sluice::kafka
