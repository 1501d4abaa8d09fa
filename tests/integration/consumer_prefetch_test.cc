// sluice's consumer (src/kafka/consumer.h) against the built-in broker: a
// backlog many times its prefetch limit flows without librdkafka's one-second
// pause at every refill (src/kafka/fetch_waker.h says why there was one).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "broker_process.h"
#include "kafka/consumer.h"
#include "kafka_clients.h"

namespace sluice::testing {
namespace {

using Clock = std::chrono::steady_clock;

TEST(ConsumerPrefetch, ABacklogOfManyPrefetchesIsReadWithoutAPausePerRefill) {
  BrokerProcess broker({"--default-partitions", "2"});
  // 12 MB of backlog against a 1 MiB prefetch: librdkafka 2.0 alone stops at
  // every refill until its broker thread wakes a second later, so it would
  // pause about a dozen times.
  constexpr int kCount = 12'000;
  // Small batches, so that each fetch answer is bounded by max.partition.fetch.bytes.
  const auto sent = produce_messages(broker.bootstrap(), "backlog", kCount,
                                     {.partitions = 2, .extra_config = {{"batch.size", "16384"}}},
                                     std::string(1000, 'x'));
  ASSERT_EQ(sent.size(), size_t(kCount));

  kafka::ClientOptions options{broker.bootstrap(), "prefetch-test"};
  options.settings = {{"group.id", "prefetch-test"},
                      {"auto.offset.reset", "earliest"},
                      {"queued.min.messages", "10000000"},  // as a stage sets it: bytes decide
                      {"queued.max.messages.kbytes", "1024"},
                      {"fetch.wait.max.ms", "100"}};
  kafka::Consumer consumer(options);
  ASSERT_EQ(consumer.subscribe({"backlog"}), 0);

  // Polled as a stage polls: never waiting inside librdkafka, briefly outside it.
  int received = 0;
  int pauses = 0;  // gaps of 700 ms or more between two records, once reading began
  Clock::time_point last{};
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  while (received < kCount && Clock::now() < deadline) {
    kafka::ConsumedMessage m = consumer.poll(0);
    if (!m || m.error()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    const auto now = Clock::now();
    if (received > 0 && now - last >= std::chrono::milliseconds(700)) ++pauses;
    last = now;
    ++received;
  }
  consumer.close();
  EXPECT_EQ(received, kCount);
  // A loaded machine may pause once; librdkafka's refill wait pauses every time.
  EXPECT_LE(pauses, 2) << "the consumer paused " << pauses << " times in a backlog of " << kCount
                       << " records";
}

}  // namespace
}  // namespace sluice::testing
