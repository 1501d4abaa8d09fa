// Producer state for every partition, built lazily: the first idempotent batch
// (or read_committed read) to reach a partition after a start rebuilds its
// sequence table and its transaction index from the log's batch headers, so
// state survives restarts without a snapshot file.
//
// Invariant: check, append and record of an idempotent batch happen under the
// partition's lock, so two retries of one batch can never both be appended;
// every batch with a producer id (markers too) is written under that lock and
// observed by the transaction index in offset order.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "broker/producers/producer_state.h"
#include "broker/storage/transaction_index.h"

namespace sluice::broker {

class PartitionLog;

class ProducerRegistry {
 public:
  struct Slot {
    std::mutex mu;
    ProducerStateTable table;
    TransactionIndex txns;
    bool loaded = false;
  };
  // The slot of a partition; callers lock slot->mu and call ensure_loaded first.
  std::shared_ptr<Slot> slot(const std::string& topic, int32_t partition);
  static void ensure_loaded(Slot& slot, const PartitionLog& log);
  // Forgets a topic's state (DeleteTopics), so a re-created topic starts clean.
  void forget(const std::string& topic);

 private:
  std::mutex mu_;
  std::map<std::pair<std::string, int32_t>, std::shared_ptr<Slot>> slots_;
};

}  // namespace sluice::broker
