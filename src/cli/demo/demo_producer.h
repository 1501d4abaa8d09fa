// The demo source's Kafka producer: acks=all, idempotent, records keyed by
// claim id and carrying the sluice.trace_id header the source chose.
//
// Invariant: every produce() ends in exactly one call of the delivery callback
// (from poll() or flush(), on the calling thread), with the note given to
// produce() and an empty error on success — so the caller writes the manifest
// line of exactly the events the broker acknowledged.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "kafka/producer.h"

namespace sluice::cli::demo {

class EventProducer {
 public:
  using Delivered = std::function<void(const std::string& note, const std::string& error)>;

  // Throws kafka::KafkaError when librdkafka refuses the configuration. linger_ms
  // is the producer's linger.ms: how long a partition's batch waits to fill.
  EventProducer(const std::string& bootstrap, int linger_ms, Delivered on_delivery);
  ~EventProducer();

  // Queues one record; waits (serving delivery reports) while librdkafka's queue is full.
  void produce(const std::string& topic, const std::string& key, const std::string& value,
               const std::string& trace_id, std::string note);
  void poll(int timeout_ms);
  // Waits up to timeout_ms for every queued record; returns how many are still unacknowledged.
  int flush(int timeout_ms);
  int outstanding() const;
  // The latest connection problem librdkafka reported, or "".
  const std::string& last_problem() const;

 private:
  class Callbacks;
  std::unique_ptr<Callbacks> callbacks_;
  std::unique_ptr<kafka::Producer> producer_;
};

}  // namespace sluice::cli::demo
