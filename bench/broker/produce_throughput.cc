// The sending thread also serves delivery reports (poll) whenever librdkafka's
// queue is full, so no extra thread competes for the machine's few cores.
#include "produce_throughput.h"

#include <fmt/format.h>

#include <chrono>
#include <stdexcept>

namespace sluice::bench {
namespace {

using Clock = std::chrono::steady_clock;

class Reports : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    last = Clock::now();
    if (message.err() == RdKafka::ERR_NO_ERROR) {
      ++delivered;
      bytes += static_cast<int64_t>(message.len());
    } else {
      if (failed++ == 0) first_error = message.errstr();
    }
  }
  Clock::time_point last;
  int64_t delivered = 0;
  int64_t bytes = 0;
  int64_t failed = 0;
  std::string first_error;
};

}  // namespace

ThroughputResult run_produce_throughput(const ProducerSettings& settings, const std::string& topic,
                                        int32_t partitions, int64_t messages,
                                        const PayloadPool& payloads) {
  Reports reports;
  auto producer = make_producer(settings, &reports);
  ensure_topic(producer.get(), topic, partitions);
  auto handle = open_topic(producer.get(), topic);

  const auto start = Clock::now();
  for (int64_t i = 0; i < messages; ++i) {
    for (;;) {
      RdKafka::ErrorCode err = producer->produce(
          handle.get(), static_cast<int32_t>(i % partitions), RdKafka::Producer::RK_MSG_COPY,
          const_cast<char*>(payloads.value(static_cast<uint64_t>(i))), payloads.value_bytes(),
          nullptr, nullptr);
      if (err == RdKafka::ERR_NO_ERROR) break;
      if (err != RdKafka::ERR__QUEUE_FULL) {
        throw std::runtime_error("produce: " + RdKafka::err2str(err));
      }
      producer->poll(1);
    }
    if ((i & 1023) == 0) producer->poll(0);
  }
  if (producer->flush(120'000) != RdKafka::ERR_NO_ERROR) {
    fmt::print(stderr, "warning: {} messages still undelivered after 120 s\n",
               producer->outq_len());
  }
  if (reports.failed > 0) {
    fmt::print(stderr, "warning: {} deliveries failed, first: {}\n", reports.failed,
               reports.first_error);
  }

  ThroughputResult r;
  r.messages = reports.delivered;
  r.bytes = reports.bytes;
  r.errors = reports.failed + (messages - reports.delivered - reports.failed);
  if (reports.delivered + reports.failed > 0) {
    r.seconds = std::chrono::duration<double>(reports.last - start).count();
  }
  return r;
}

}  // namespace sluice::bench
