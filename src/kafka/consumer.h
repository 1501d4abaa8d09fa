// The one way sluice consumes from Kafka, over librdkafka's C API. Offsets are
// only ever committed by the caller (auto-commit and auto offset store are off),
// so nothing is marked consumed before the caller says its work is safe.
//
// Two modes: subscribe() joins the group in the options' settings (group.id)
// and the RebalanceListener hears every assignment and revocation; assign()
// reads fixed partitions without joining any group.
//
// Threads: everything, listeners included, runs on the thread that calls
// poll() (rebalances are served inside it).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kafka/errors.h"
#include "kafka/fetch_waker.h"
#include "kafka/message.h"
#include "kafka/producer.h"
#include "kafka/types.h"

struct rd_kafka_s;
struct rd_kafka_queue_s;

namespace sluice::kafka {

class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  // Before `parts` are assigned; may set a partition's start offset (left at
  // kOffsetInvalid, the group's committed offset is used). Every assigned
  // partition starts unpaused, whatever it was when last owned.
  virtual void assigned(std::vector<PartitionOffset>& parts) = 0;
  // Before `parts` are taken away: they are still owned while this runs, so
  // their offsets can be committed here.
  virtual void revoked(const std::vector<PartitionOffset>& parts) = 0;
};

class Consumer {
 public:
  // Throws KafkaError when librdkafka refuses the configuration. `rebalances`
  // (optional) must outlive the consumer.
  Consumer(const ClientOptions& options, RebalanceListener* rebalances = nullptr,
           ErrorListener on_error = {});
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Each returns 0 or the reason librdkafka refused.
  ErrorCode subscribe(const std::vector<std::string>& topics);
  ErrorCode assign(const std::vector<PartitionOffset>& parts);

  // The next message or error event; an empty one when none came within timeout_ms.
  ConsumedMessage poll(int timeout_ms);

  void pause_assignment();
  void resume_assignment();

  // Commits `offsets` (each the next offset to consume); returns 0 or the error.
  ErrorCode commit(const std::vector<PartitionOffset>& offsets, bool sync);
  // The group's committed offset per partition (kOffsetInvalid: none).
  std::vector<int64_t> committed(const std::vector<PartitionOffset>& parts, int timeout_ms);
  // One ListOffsets for all `parts` at `which` (kOffsetBeginning or kOffsetEnd);
  // -1 for a partition that did not answer. Not query_watermark_offsets: before
  // librdkafka 2.3 that ignores its timeout and waits for ever while the broker
  // is down (librdkafka #2588).
  std::vector<int64_t> log_offsets(const std::vector<PartitionOffset>& parts, int64_t which,
                                   int timeout_ms);
  // The fetch position per partition (kOffsetInvalid: not known yet); nullopt when
  // the consumer could not say.
  std::optional<std::vector<int64_t>> positions(const std::vector<PartitionOffset>& parts);
  // The log offsets last seen in a fetch answer (no request); nullopt before any.
  std::optional<Watermarks> cached_watermarks(const std::string& topic, int32_t partition);

  // Writes an 8-byte 1 to `fd` whenever messages or events become ready; -1 stops it.
  void notify(int fd);
  // Leaves the group (a last revocation is served) and stops fetching.
  void close();

 private:
  static void on_rebalance(rd_kafka_s* rk, int err, void* parts, void* opaque);

  RebalanceListener* rebalances_ = nullptr;
  ErrorListener on_error_;
  rd_kafka_s* rk_ = nullptr;
  rd_kafka_queue_s* notifying_ = nullptr;  // the consumer queue, while notify() is on
  std::unique_ptr<FetchWaker> waker_;      // librdkafka before 2.4 only (fetch_waker.h)
};

}  // namespace sluice::kafka
