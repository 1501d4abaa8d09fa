// A producer for operator commands that must know a record is durable before
// they go on (the DLQ replay writes its ledger entry only after the replayed
// record is acknowledged). Idempotent, acks=all, and send() returns only once
// the broker acknowledged the record or delivery definitely failed.
#pragma once

#include <cstdint>
#include <memory>

#include "kafka/producer.h"
#include "kafka/record.h"
#include "kafka/types.h"

namespace sluice::cli {

using OutgoingRecord = kafka::OutputRecord;

struct Delivered {
  int32_t partition = -1;
  int64_t offset = -1;
};

class SyncProducer {
 public:
  // Throws kafka::KafkaError when the client cannot be created.
  explicit SyncProducer(const kafka::Endpoint& endpoint);
  ~SyncProducer();

  // Waits at most the endpoint's timeout (plus a little) for the acknowledgement.
  // Throws kafka::KafkaError naming the topic and the broker's reason on failure.
  Delivered send(const OutgoingRecord& record);

 private:
  class Reports;
  kafka::Endpoint endpoint_;
  std::unique_ptr<Reports> reports_;
  std::unique_ptr<kafka::Producer> producer_;
};

}  // namespace sluice::cli
