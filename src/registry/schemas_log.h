// The registry's storage: the compacted `_schemas` topic, as Confluent Schema
// Registry keeps it, on any Kafka cluster (the built-in broker or another).
//
// A tail thread reads the topic's one partition from the start for as long as
// the log lives and applies every record, in offset order, to the state; that
// is the only way the state changes. append() produces with acks=all and then
// waits until the tail has applied past the offset the broker gave the last
// record, so the caller's next read sees its own write.
//
// Invariants: open() returns only after the topic exists (created compacted,
// one partition, when missing) and the tail has applied everything the topic
// held when open() asked for its end; until then nothing is served. A record
// the tail cannot parse is logged and skipped, never applied in part.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "kafka/types.h"
#include "registry/registry_store.h"

namespace sluice::kafka {
class Consumer;
class Producer;
}  // namespace sluice::kafka

namespace sluice::registry {

struct SchemasLogOptions {
  kafka::Endpoint endpoint;
  std::string topic = "_schemas";
  // How long open() may replay and append() may wait for its records to come back.
  int wait_ms = 30000;
};

class SchemasLog : public RegistryStore {
 public:
  // Throws StoreError (or kafka::KafkaError) naming the cluster and what to check.
  explicit SchemasLog(SchemasLogOptions options);
  ~SchemasLog() override;
  SchemasLog(const SchemasLog&) = delete;
  SchemasLog& operator=(const SchemasLog&) = delete;

  void read(const std::function<void(const RegistryState&)>& fn) const override;
  void append(const std::vector<RegistryRecord>& records) override;
  void catch_up() override;
  std::mutex& writer() override { return writer_; }

  // The next offset the tail will apply (how far the state reaches).
  int64_t applied() const;

 private:
  void ensure_topic();
  void tail();
  void apply(const std::string& key, const std::optional<std::string>& value, int64_t offset);
  // Waits until the tail has applied every offset below `end`; false on timeout.
  bool wait_applied(int64_t end) const;

  SchemasLogOptions options_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::unique_ptr<kafka::Producer> producer_;
  std::mutex writer_;

  mutable std::mutex mu_;
  mutable std::condition_variable applied_cv_;
  RegistryState state_;
  int64_t next_offset_ = 0;  // guarded by mu_
  // Where the log ended at the last catch_up(): the state a proposal is made
  // from. -1: no catch_up yet (append() then checks nothing). Guarded by mu_.
  int64_t decided_at_ = -1;
  std::string tail_error_;  // the last read error, for append()'s message; guarded by mu_

  std::atomic<bool> stopping_{false};
  std::thread tail_thread_;
};

}  // namespace sluice::registry
