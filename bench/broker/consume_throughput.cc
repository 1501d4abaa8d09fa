// One legacy consumer with all partitions on a shared queue: a single thread
// drains it, as a typical pipeline stage would. Data is likely still in the page
// cache, so this measures the broker's read path and the loopback network, not
// the disk.
#include "consume_throughput.h"

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <vector>

#include "kafka_clients.h"

namespace sluice::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kIdleTimeout = std::chrono::seconds(30);

}  // namespace

ThroughputResult run_consume_throughput(const std::string& bootstrap, const std::string& topic,
                                        int32_t partitions) {
  auto consumer = make_consumer(bootstrap);
  auto handle = open_topic(consumer.get(), topic);
  std::unique_ptr<RdKafka::Queue> queue(RdKafka::Queue::create(consumer.get()));

  std::vector<int64_t> end(static_cast<size_t>(partitions), 0);
  int64_t expected = 0;
  for (int32_t p = 0; p < partitions; ++p) {
    int64_t low = 0;
    RdKafka::ErrorCode err = consumer->query_watermark_offsets(topic, p, &low, &end[p], 10'000);
    if (err != RdKafka::ERR_NO_ERROR) {
      throw std::runtime_error(
          fmt::format("watermarks of {}-{}: {}", topic, p, RdKafka::err2str(err)));
    }
    expected += end[p] - low;
  }

  ThroughputResult r;
  const auto start = Clock::now();
  auto last = start;
  for (int32_t p = 0; p < partitions; ++p) {
    RdKafka::ErrorCode err =
        consumer->start(handle.get(), p, RdKafka::Topic::OFFSET_BEGINNING, queue.get());
    if (err != RdKafka::ERR_NO_ERROR) {
      throw std::runtime_error(fmt::format("start {}-{}: {}", topic, p, RdKafka::err2str(err)));
    }
  }
  std::string first_error;
  while (r.messages < expected) {
    std::unique_ptr<RdKafka::Message> m(consumer->consume(queue.get(), 1000));
    const auto now = Clock::now();
    if (m->err() == RdKafka::ERR_NO_ERROR) {
      ++r.messages;
      r.bytes += static_cast<int64_t>(m->len());
      last = now;
    } else if (m->err() != RdKafka::ERR__TIMED_OUT) {
      if (r.errors++ == 0) first_error = m->errstr();
    }
    if (now - last > kIdleTimeout) {
      fmt::print(stderr, "warning: consume stalled at {} of {} messages for 30 s\n", r.messages,
                 expected);
      break;
    }
  }
  if (r.errors > 0) {
    fmt::print(stderr, "warning: {} consume errors, first: {}\n", r.errors, first_error);
  }
  r.seconds = std::chrono::duration<double>(last - start).count();
  for (int32_t p = 0; p < partitions; ++p) consumer->stop(handle.get(), p);
  return r;
}

}  // namespace sluice::bench
