// The DLQ for records drained from a spill that the sink refuses for good
// (SpillingSink's `dead_letter`). Such a record's offset was committed when it
// was spilled, so the runtime's own DLQ path (which settles a consumed record)
// cannot take it; this sends it with the same headers (pipeline/reroute.h) and
// returns only once Kafka acknowledged it, so the spill may then let it go.
//
// Invariant: send() returns only after an acks=all acknowledgement of the
// dead letter, and throws otherwise (no DLQ configured, refused, timed out);
// the drain then keeps the record and tries again after a backoff.
//
// Threads: send() from the drain thread; one call at a time (a lock). It
// throws kafka::KafkaError when the producer cannot be created.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>

#include "kafka/producer.h"
#include "pipeline/pipeline_config.h"
#include "pipeline/processor.h"

namespace sluice::pipeline::spill {

class SpillDeadLetters : public kafka::DeliveryListener {
 public:
  // The producer is created at the first send(): most stages never need it.
  SpillDeadLetters(kafka::ClientOptions producer, const StageConfig& stage);
  ~SpillDeadLetters() override;

  void send(const Record& record, const Outcome& outcome);

  void delivered(const kafka::Delivery& delivery) override;

 private:
  static constexpr int kAckTimeoutMs = 30000;

  const kafka::ClientOptions options_;
  const StageConfig& stage_;
  std::mutex mu_;
  bool answered_ = false;
  kafka::ErrorCode error_ = 0;
  std::unique_ptr<kafka::Producer> producer_;  // last: reports arrive until it is gone
};

}  // namespace sluice::pipeline::spill
