#include "cli/support/sync_producer.h"

#include <memory>

#include "common/clock.h"
#include "kafka/errors.h"

namespace sluice::cli {

// What the delivery report said about one record; the record's opaque points here.
struct Report {
  bool done = false;
  kafka::ErrorCode err = 0;
  Delivered at;
};

class SyncProducer::Reports : public kafka::DeliveryListener {
 public:
  void delivered(const kafka::Delivery& d) override {
    auto* report = static_cast<Report*>(d.opaque);
    if (!report) return;
    report->done = true;
    report->err = d.error;
    report->at = {d.partition, d.offset};
  }
};

SyncProducer::SyncProducer(const kafka::Endpoint& endpoint)
    : endpoint_(endpoint), reports_(std::make_unique<Reports>()) {
  kafka::ClientOptions options{endpoint_.bootstrap, "sluice-cli"};
  options.log_level = 0;  // failures reach the operator through send()
  options.settings = {{"linger.ms", "0"},
                      {"message.timeout.ms", std::to_string(endpoint_.timeout_ms)}};
  producer_ = std::make_unique<kafka::Producer>(options, reports_.get());
}

SyncProducer::~SyncProducer() = default;

Delivered SyncProducer::send(const OutgoingRecord& record) {
  const std::string what = "writing to topic '" + record.topic + "' at " + endpoint_.bootstrap;
  auto report = std::make_unique<Report>();
  kafka::throw_if(producer_->produce(record, report.get()), what);
  // message.timeout.ms bounds delivery; the margin covers the report's own travel.
  const int64_t deadline = mono_ms() + endpoint_.timeout_ms + 5000;
  while (!report->done && mono_ms() < deadline) producer_->poll(100);
  if (!report->done) {
    producer_->purge();
    const int64_t purge_deadline = mono_ms() + endpoint_.timeout_ms;
    while (!report->done && mono_ms() < purge_deadline) producer_->poll(100);
    // A report that never came may still arrive later: it must find live memory.
    if (!report->done) static_cast<void>(report.release());
    throw kafka::KafkaError(what + ": no acknowledgement within " +
                            std::to_string(endpoint_.timeout_ms) +
                            " ms; is the broker healthy? raise --timeout-ms");
  }
  kafka::throw_if(report->err, what);
  if (std::string fatal = producer_->fatal_error(); !fatal.empty())
    throw kafka::KafkaError(what + ": the producer failed: " + fatal);
  return report->at;
}

}  // namespace sluice::cli
