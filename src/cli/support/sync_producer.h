// A producer for operator commands that must know a record is durable before
// they go on (the DLQ replay writes its ledger entry only after the replayed
// record is acknowledged). Idempotent, acks=all, and send() returns only once
// the broker acknowledged the record or delivery definitely failed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kafka/handles.h"
#include "kafka/types.h"

namespace sluice::cli {

struct OutgoingRecord {
  std::string topic;
  std::optional<std::string> key;    // nullopt: null key
  std::optional<std::string> value;  // nullopt: null value (a tombstone)
  std::vector<std::pair<std::string, std::string>> headers;
};

struct Delivered {
  int32_t partition = -1;
  int64_t offset = -1;
};

class SyncProducer {
 public:
  // Throws kafka::KafkaError when the client cannot be created.
  explicit SyncProducer(const kafka::Endpoint& endpoint);

  // Waits at most the endpoint's timeout (plus a little) for the acknowledgement.
  // Throws kafka::KafkaError naming the topic and the broker's reason on failure.
  Delivered send(const OutgoingRecord& record);

 private:
  kafka::Endpoint endpoint_;
  kafka::Handle handle_;
};

}  // namespace sluice::cli
