// The baseline: the smallest correct consume -> produce loop one would write by
// hand with librdkafka — a group consumer, an idempotent acks=all producer,
// offsets committed as it goes — copying `input` to `output`. Whatever the stage
// runtime costs on top of this is its overhead.
#pragma once

#include <cstdint>
#include <string>

namespace sluice::bench {

struct BareLoopResult {
  double seconds = 0;            // start until the last output was acknowledged
  double first_ack_seconds = 0;  // start until the first output was acknowledged
};
// Copies `count` records, timed from start (clients created, before the group
// join). Throws if a delivery fails.
//   tuned = false: librdkafka's defaults, as a first hand-written loop would be.
//   tuned = true:  the consumer settings the stage uses (queued.min.messages,
//                  fetch.wait.max.ms) and the output topic's metadata fetched
//                  before the first record, as the stage does at start — so
//                  the ratio against it is the runtime's own cost.
BareLoopResult run_bare_loop(const std::string& bootstrap, const std::string& input,
                             const std::string& output, int64_t count, bool tuned);

}  // namespace sluice::bench
