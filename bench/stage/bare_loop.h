// The baseline: the smallest correct consume -> produce loop one would write by
// hand with librdkafka — a group consumer, an idempotent acks=all producer,
// offsets committed as it goes — copying `input` to `output`. Whatever the stage
// runtime costs on top of this is its overhead.
#pragma once

#include <cstdint>
#include <string>

namespace sluice::bench {

// Copies `count` records and returns the seconds from start (clients created,
// before the group join) until the last output was acknowledged. Throws if a
// delivery fails.
struct BareLoopResult {
  double seconds = 0;            // start until the last output was acknowledged
  double first_ack_seconds = 0;  // start until the first output was acknowledged
};
BareLoopResult run_bare_loop(const std::string& bootstrap, const std::string& input,
                             const std::string& output, int64_t count);

}  // namespace sluice::bench
