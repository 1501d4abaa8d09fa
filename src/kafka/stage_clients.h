// The clients of one stage of the stage runtime, as librdkafka settings: its
// group consumer (tuned for a stage that buffers and processes in parallel)
// and its producer. Kept here with the rest of the Kafka settings, so that the
// runtime says what it needs and src/kafka/ says how librdkafka is told.
#pragma once

#include <cstdint>
#include <string>

#include "kafka/types.h"

namespace sluice::kafka {

struct StageClientSpec {
  std::string bootstrap;
  std::string stage;  // client.id is sluice-<stage>
  std::string group;
  int64_t session_timeout_ms = 10000;
  int64_t max_buffered_bytes = 64 << 20;  // the stage's own buffer, which prefetch matches
  int64_t fetch_min_bytes = 1;            // fetch.min.bytes
  int64_t linger_ms = 5;                  // the producer's linger.ms
};

ClientOptions stage_consumer_options(const StageClientSpec& spec);
ClientOptions stage_producer_options(const StageClientSpec& spec);

}  // namespace sluice::kafka
