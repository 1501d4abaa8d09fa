// Records the runtime re-routes — to a delay topic for a later retry, or to the
// dead-letter queue — carry the key and value as received plus `sluice.*`
// headers. The original topic/partition/offset, the first failure time and the
// attempt count survive every hop, so a DLQ record always names where it came
// from even after passing through several retry topics. The header names are
// defined once, in kafka/record.h.
#pragma once

#include <cstdint>
#include <string>

#include "pipeline/record.h"

namespace sluice::pipeline {

struct Failure {
  std::string stage;
  ErrorCategory category = ErrorCategory::kTransient;
  std::string message;
  int attempts = 1;  // attempts in this process for this hop
  int64_t now_ms = 0;
};

// The record for `<input>.dlq` (or the configured DLQ topic), with the
// stage's `dlq.headers` appended.
OutputRecord to_dead_letter(const Record& record, const std::string& dlq_topic,
                            const Failure& failure, const Headers& stage_headers = {});
// The record for a delay topic, to be processed again at `not_before_ms` or later.
OutputRecord to_delay_topic(const Record& record, const std::string& topic, int level,
                            int64_t not_before_ms, const Failure& failure);

// Why a record is parked by degradation (degradation_config.h) rather than processed.
struct Parking {
  std::string stage;
  std::string level;  // the level that parked it, e.g. GRACEFUL
  int64_t now_ms = 0;
};

// The record for the stage's parked topic: shaped as a DLQ record (category
// kParkedCategory), so `sluice dlq list|view|replay` work on the parked topic as
// they do on a DLQ, and a replay brings it back to its original topic.
inline constexpr const char* kParkedCategory = "shed";
OutputRecord to_parked(const Record& record, const std::string& topic, const Parking& parking);

// Read back from a consumed record: 0 / 0 / 0 for a record straight from the input.
int retry_level(const Record& record);
int64_t not_before_ms(const Record& record);
int previous_attempts(const Record& record);
int replay_count(const Record& record);
// Where a record that exhausted its retries goes: the DLQ, or — once it has
// been replayed `max_replays` times and failed again — `<dlq>.parked`, so a
// replay can never loop forever.
std::string dead_letter_topic(const Record& record, const std::string& dlq_topic, int max_replays);

}  // namespace sluice::pipeline
