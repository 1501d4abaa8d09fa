// One consumed record on its way through the stage, from the consumer's poll
// to the commit of its offset.
//
// The poll thread fills in only what it needs to schedule the record (the
// header fields are read in place); a worker builds the full Record from the
// Kafka message just before processing it (materialize()), so copying the
// payload and headers, minting the trace id and freeing the message happen off
// the poll thread.
//
// Invariant: while librdkafka holds a pointer to this record as a delivery
// report's opaque, `self` keeps it alive; the last report releases it (a
// reference cycle on purpose, broken in exactly one place: Delivery::settle).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kafka/message.h"
#include "pipeline/circuit_breaker.h"
#include "pipeline/record.h"

namespace sluice::pipeline {

using TopicPartition = std::pair<std::string, int32_t>;

struct InFlight {
  TopicPartition tp;
  uint64_t generation = 0;  // the ownership of `tp` it belongs to (PartitionState::generation)
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  int64_t bytes = 0;                     // payload size, for the buffered-bytes bound
  int64_t not_before_ms = 0;             // a delay-topic record's due time (0: now)
  kafka::ConsumedMessage message;        // held until materialize()
  Record record;                         // complete once materialize() ran
  std::vector<CircuitBreaker*> permits;  // breakers that let this attempt through
  int attempts = 0;                      // in-process attempts of this hop
  // Outputs awaiting their acknowledgement. Set by whoever produces them (a
  // worker, or the poll thread for DLQ and delay-topic copies) before the first
  // produce; counted down by delivery reports on the poll thread.
  std::atomic<int> remaining{0};
  bool delivery_failed = false;  // poll thread only
  std::string delivery_error;    // poll thread only: the last failure, "<topic>: <reason>"
  // Poll thread only: the worker's outcome for this attempt was handled, so
  // the last acknowledgement may settle the record. Before that a fast
  // acknowledgement must wait, or a retry could be queued behind records the
  // same completion hands back.
  bool outcome_handled = false;
  struct ProduceError {
    std::string topic;
    kafka::ErrorCode err;
  };
  std::vector<ProduceError> produce_errors;  // a worker's outputs refused at once
  // A processor's tick (StatefulProcessor::tick), not a record: its outputs
  // belong to no offset, and are kept to be sent again if delivery fails (the
  // processor's state already reflects them, so they cannot be recomputed).
  bool tick = false;
  std::vector<OutputRecord> tick_outputs;
  std::shared_ptr<InFlight> self;  // see the invariant above

  // Builds `record` from the message and frees the message; a retry keeps the
  // record built on its first attempt.
  void materialize();
};

}  // namespace sluice::pipeline
