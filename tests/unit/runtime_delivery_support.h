// What the Delivery tests share: a producer pointed at a cluster that never
// answers (no broker needed, so whatever fails a record is the code under
// test), and a record taken from partition in-0 as the consumer would hand it.
#pragma once

#include <memory>
#include <string>

#include "kafka/types.h"
#include "pipeline/runtime/partition_table.h"

namespace sluice::pipeline::delivery_test {

// Records wait `message_timeout_ms` before librdkafka reports them failed.
inline kafka::ClientOptions unanswered_cluster(int64_t message_timeout_ms) {
  kafka::ClientOptions o{"127.0.0.1:1", "sluice-test"};
  o.drop_logs = true;
  o.settings = {{"message.timeout.ms", std::to_string(message_timeout_ms)}, {"linger.ms", "0"}};
  return o;
}

// The record at `offset` of in-0, accepted and taken as the runner would.
inline std::shared_ptr<InFlight> consumed(PartitionTable& table, int64_t offset) {
  static char topic_handle;
  const TopicPartition* tp = nullptr;
  PartitionState& state = table.of(&topic_handle, "in", 0, &tp);
  auto job = std::make_shared<InFlight>();
  job->tp = *tp;
  job->offset = offset;
  job->record.offset = offset;  // as materialize() would have built it
  job->record.trace_id = "trace-" + std::to_string(offset);
  table.accept(state, job);
  return table.take_head(state);
}

}  // namespace sluice::pipeline::delivery_test
