// Routing: where a record goes after a failed attempt — back to the head of its
// partition for an in-process retry, to a delay topic, or to the dead-letter
// queue (RetryPolicy decides which; this turns the decision into topics and
// records, and logs it).
//
// Invariant: a failed record is never dropped. With the DLQ disabled, a record
// that would be dead-lettered keeps retrying in process at the longest backoff.
#pragma once

#include <cstdint>
#include <string>

#include "pipeline/pipeline_config.h"
#include "pipeline/record.h"
#include "pipeline/retry_policy.h"

namespace sluice::pipeline {

struct FailureRoute {
  enum Kind { kRetryInProcess, kReroute } kind = kRetryInProcess;
  int64_t backoff_ms = 0;    // kRetryInProcess: how long the partition waits
  OutputRecord output;       // kReroute: the delay-topic or DLQ copy to produce
  bool dead_letter = false;  // kReroute: `output` goes to the DLQ (or its .parked topic)
};

class FailureRouter {
 public:
  FailureRouter(const StageConfig& stage, uint64_t seed = random_seed());

  // `attempts` counts this hop's attempts so far, the failed one included.
  // Logs one structured "record failed; next: ..." event.
  FailureRoute route(const Record& record, const Outcome& outcome, int attempts, int64_t now_ms);

  // The delay topic of retry level `level` (1-based): <input>.retry.<level>.
  std::string delay_topic(int level) const;

 private:
  StageConfig stage_;
  RetryPolicy retry_;
};

}  // namespace sluice::pipeline
