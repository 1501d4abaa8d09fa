// The one way sluice produces to Kafka: an idempotent producer with acks=all
// (so an acknowledged record is on every in-sync replica, and a retried send
// never duplicates it), over librdkafka's C API.
//
// Invariant: every produce() that returns 0 ends in exactly one delivery report
// to the listener — acknowledged, failed, or purged — served on the thread that
// calls poll() or flush(), carrying the opaque given to produce(). A produce()
// that returns an error code gets no report.
//
// Threads: produce() may be called from any thread; poll(), flush() and the
// listeners run on the caller's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "kafka/errors.h"
#include "kafka/record.h"
#include "kafka/types.h"

struct rd_kafka_s;
struct rd_kafka_topic_s;
struct rd_kafka_queue_s;

namespace sluice::kafka {

struct Delivery {
  void* opaque = nullptr;  // as given to produce()
  std::string_view topic;
  int32_t partition = -1;
  int64_t offset = -1;
  ErrorCode error = 0;  // 0: acknowledged
};

class DeliveryListener {
 public:
  virtual ~DeliveryListener() = default;
  virtual void delivered(const Delivery& delivery) = 0;
};

// librdkafka's error events (connection problems, mostly), with its reason text.
using ErrorListener = std::function<void(ErrorCode err, const std::string& reason)>;

class Producer {
 public:
  // Throws KafkaError when librdkafka refuses the configuration. `deliveries`
  // (optional) must outlive the producer.
  Producer(const ClientOptions& options, DeliveryListener* deliveries, ErrorListener on_error = {});
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues one record (copied). Returns 0, or the reason it was refused at once
  // (is_queue_full(): serve reports with poll() and try again).
  ErrorCode produce(const OutputRecord& record, void* opaque);
  // Serves delivery reports and error events; returns how many were served.
  int poll(int timeout_ms);
  // Waits up to timeout_ms for every queued record to be reported.
  void flush(int timeout_ms);
  // Records queued or in flight, not yet reported.
  int outstanding() const;
  // Fails every queued and in-flight record (each still gets its report).
  void purge();
  // Fails only the records not yet sent to a broker (each still gets its
  // report): none of them can have been written, so producing them again
  // cannot duplicate them. In-flight records finish as they will.
  void purge_unsent();
  // The producer's fatal error (an idempotence violation), or "".
  std::string fatal_error() const;

  // Transactions, for a producer created with `transactional.id`: init once —
  // which fences every earlier producer of that id, so a zombie (a frozen
  // process whose successor took over) can no longer write — then begin,
  // produce, commit (or abort). Each returns "" or librdkafka's reason.
  std::string init_transactions(int timeout_ms);
  std::string begin_transaction();
  std::string commit_transaction(int timeout_ms);
  std::string abort_transaction(int timeout_ms);
  // Writes an 8-byte 1 to `fd` whenever reports become ready (for one poll loop
  // waiting on several sources); -1 stops it.
  void notify(int fd);

  // The librdkafka handle, for the rest of src/kafka/ (topic setup).
  rd_kafka_s* handle() const { return rk_; }

 private:
  static void on_delivery(rd_kafka_s* rk, const void* message, void* opaque);
  rd_kafka_topic_s* topic_handle(const std::string& name);

  DeliveryListener* deliveries_ = nullptr;
  ErrorListener on_error_;
  rd_kafka_s* rk_ = nullptr;
  rd_kafka_queue_s* notifying_ = nullptr;  // the main queue, while notify() is on
  // Workers and the poll thread both produce, so the cache is locked; it holds a
  // handful of topics and the lock is held for one lookup.
  std::mutex topics_mu_;
  std::unordered_map<std::string, rd_kafka_topic_s*> topics_;
};

}  // namespace sluice::kafka
