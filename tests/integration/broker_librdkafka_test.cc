// The built-in broker, exercised only through librdkafka's C++ API.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "broker_process.h"
#include "kafka_clients.h"

namespace sluice::testing {
namespace {

void expect_all_read_back(const std::vector<Delivered>& sent,
                          const std::map<int32_t, std::vector<Delivered>>& got) {
  std::map<std::pair<int32_t, int64_t>, const Delivered*> by_position;
  for (const auto& [p, msgs] : got) {
    int64_t prev = -1;
    for (const auto& m : msgs) {
      EXPECT_GT(m.offset, prev) << "partition " << p << " out of order";
      prev = m.offset;
      by_position[{p, m.offset}] = &m;
    }
  }
  size_t total = 0;
  for (const auto& [p, msgs] : got) total += msgs.size();
  EXPECT_EQ(total, sent.size());
  for (const auto& s : sent) {
    ASSERT_EQ(s.error, RdKafka::ERR_NO_ERROR) << "delivery failed for " << s.value;
    auto it = by_position.find({s.partition, s.offset});
    ASSERT_NE(it, by_position.end()) << "acknowledged " << s.value << " at " << s.partition << "/"
                                     << s.offset << " was not read back";
    EXPECT_EQ(it->second->value, s.value);
    EXPECT_EQ(it->second->key, s.key);
  }
}

class CodecRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(CodecRoundTrip, HundredThousandMessagesOverFourPartitionsComeBackIntactAndInOrder) {
  BrokerProcess broker({"--default-partitions", "4"});
  std::string topic = "roundtrip-" + GetParam();
  ProduceOptions opts;
  opts.codec = GetParam();
  auto sent = produce_messages(broker.bootstrap(), topic, 100'000, opts);
  auto got = consume_all(broker.bootstrap(), topic, 4);
  expect_all_read_back(sent, got);
}

INSTANTIATE_TEST_SUITE_P(EveryCodec, CodecRoundTrip,
                         ::testing::Values("none", "gzip", "snappy", "lz4", "zstd"));

TEST(Broker, MessagesSurviveACleanRestart) {
  BrokerProcess broker({"--default-partitions", "4"});
  auto sent = produce_messages(broker.bootstrap(), "restart", 20'000, {});
  broker.stop();
  broker.start();
  expect_all_read_back(sent, consume_all(broker.bootstrap(), "restart", 4));
}

TEST(Broker, OffsetsForTimesFindsTheFirstRecordAtOrAfterTheTimestamp) {
  BrokerProcess broker({"--default-partitions", "1"});
  ProduceOptions early;
  early.partitions = 1;
  early.timestamp_ms = 1'700'000'000'000;
  produce_messages(broker.bootstrap(), "times", 100, early, "early");
  ProduceOptions late = early;
  late.timestamp_ms = 1'700'000'100'000;
  produce_messages(broker.bootstrap(), "times", 100, late, "late");

  std::string err;
  auto conf = std::unique_ptr<RdKafka::Conf>(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", broker.bootstrap(), err);
  std::unique_ptr<RdKafka::Producer> client(RdKafka::Producer::create(conf.get(), err));
  auto lookup = [&](int64_t ts) {
    std::vector<RdKafka::TopicPartition*> parts = {RdKafka::TopicPartition::create("times", 0, ts)};
    EXPECT_EQ(client->offsetsForTimes(parts, 10'000), RdKafka::ERR_NO_ERROR);
    int64_t offset = parts[0]->offset();
    RdKafka::TopicPartition::destroy(parts);
    return offset;
  };
  EXPECT_EQ(lookup(1'600'000'000'000), 0);
  EXPECT_EQ(lookup(1'700'000'050'000), 100);  // between the two groups: first "late" record
  EXPECT_EQ(lookup(1'700'000'100'000), 100);
  EXPECT_EQ(lookup(1'800'000'000'000), -1);  // nothing that late
}

// kill -9 while an acks=all producer is running: every acknowledged message
// must be read back intact after the restart (flush policy `always`).
TEST(Broker, AcknowledgedMessagesSurviveKillNine) {
  BrokerProcess broker({"--default-partitions", "4", "--flush", "always"});
  std::vector<Delivered> sent;
  std::atomic<bool> killed{false};
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    broker.kill9();
    killed = true;
  });
  ProduceOptions opts;
  opts.extra_config = {{"message.timeout.ms", "5000"}, {"retries", "0"}};
  sent = produce_messages(broker.bootstrap(), "crash", 200'000, opts);
  killer.join();
  broker.start();
  std::vector<Delivered> acked;
  for (const auto& s : sent) {
    if (s.error == RdKafka::ERR_NO_ERROR && s.offset >= 0) acked.push_back(s);
  }
  ASSERT_GT(acked.size(), 0u) << "nothing was acknowledged before the kill";
  auto got = consume_all(broker.bootstrap(), "crash", 4);
  std::map<std::pair<int32_t, int64_t>, std::string> stored;
  for (const auto& [p, msgs] : got) {
    for (const auto& m : msgs) stored[{p, m.offset}] = m.value;
  }
  for (const auto& a : acked) {
    auto it = stored.find({a.partition, a.offset});
    ASSERT_NE(it, stored.end()) << "acknowledged " << a.value << " lost";
    EXPECT_EQ(it->second, a.value);
  }
}

}  // namespace
}  // namespace sluice::testing
