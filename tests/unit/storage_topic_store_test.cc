// TopicStore behaviour beyond storage_test.cc: the topic.conf format, broker
// defaults versus overrides, validate-only requests, Kafka's naming rules,
// unknown topics, and what happens to readers of a deleted topic.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "broker/storage/topic_store.h"
#include "temp_dir.h"

namespace sluice::broker {
namespace {

namespace fs = std::filesystem;

using TempDir = sluice::testing::TempDir;

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Bytes one_record(const std::string& value) {
  return build_batch(0, {{1000, std::nullopt, value, {}}});
}

TEST(TopicStoreFiles, TopicConfHoldsTheIdThePartitionCountAndOnlyTheOverriddenConfigs) {
  TempDir dir;
  TopicStore store(dir.path(), {});
  ASSERT_EQ(
      store.create_topic("orders", 2, {{"retention.ms", "1000"}, {"cleanup.policy", "compact"}})
          .status,
      StoreStatus::kOk);
  fs::path topic = dir.path() / "topics" / "orders";
  EXPECT_EQ(read_text(topic / "topic.conf"),
            "id=" + store.describe("orders")->id.to_string() +
                "\npartitions=2\ncleanup.policy=compact\nretention.ms=1000\n");
  EXPECT_FALSE(fs::exists(topic / "topic.conf.tmp")) << "the temp file was renamed into place";
  EXPECT_TRUE(fs::is_directory(topic / "0"));
  EXPECT_TRUE(fs::is_directory(topic / "1"));
  EXPECT_FALSE(fs::exists(topic / "2"));
}

TEST(TopicStoreConfigs, TopicsWithoutOverridesFollowTheBrokerDefaultsEvenWhenTheyChange) {
  TempDir dir;
  TopicDefaults defaults;
  defaults.log.retention_ms = 1234;
  {
    TopicStore store(dir.path(), defaults);
    ASSERT_EQ(store.create_topic("plain", 1, {}).status, StoreStatus::kOk);
    ASSERT_EQ(store.create_topic("tuned", 1, {{"retention.ms", "99"}}).status, StoreStatus::kOk);
    EXPECT_EQ(store.describe("plain")->config.retention_ms, 1234);
    EXPECT_TRUE(store.describe("plain")->overrides.empty());
    EXPECT_EQ(store.partition("plain", 0)->config().retention_ms, 1234)
        << "partitions get the topic's config";
  }
  defaults.log.retention_ms = 5678;  // the operator changed the broker default
  TopicStore store(dir.path(), defaults);
  EXPECT_EQ(store.describe("plain")->config.retention_ms, 5678);
  EXPECT_EQ(store.describe("tuned")->config.retention_ms, 99)
      << "an override outlives default changes";
  EXPECT_EQ(store.partition("tuned", 0)->config().retention_ms, 99);
}

TEST(TopicStoreCreate, MinusOnePartitionsMeansTheBrokerDefault) {
  TempDir dir;
  TopicDefaults defaults;
  defaults.partitions = 3;
  TopicStore store(dir.path(), defaults);
  ASSERT_EQ(store.create_topic("t", -1, {}).status, StoreStatus::kOk);
  EXPECT_EQ(store.describe("t")->partitions, 3);
  EXPECT_NE(store.partition("t", 2), nullptr);
}

TEST(TopicStoreCreate, ValidateOnlyChecksEverythingButCreatesNothing) {
  TempDir dir;
  TopicStore store(dir.path(), {});
  EXPECT_EQ(store.create_topic("t", 2, {{"retention.ms", "10"}}, true).status, StoreStatus::kOk);
  EXPECT_FALSE(store.describe("t").has_value());
  EXPECT_FALSE(fs::exists(dir.path() / "topics" / "t"));
  EXPECT_EQ(store.create_topic("t", 2, {{"retention.ms", "x"}}, true).status,
            StoreStatus::kInvalidConfig);
  ASSERT_EQ(store.create_topic("t", 1, {}).status, StoreStatus::kOk);
  EXPECT_EQ(store.create_topic("t", 1, {}, true).status, StoreStatus::kTopicExists);
}

TEST(TopicStoreCreate, PartitionCountsOutsideOneToTenThousandAreRefused) {
  TempDir dir;
  TopicStore store(dir.path(), {});
  EXPECT_EQ(store.create_topic("t", 10001, {}).status, StoreStatus::kInvalidPartitions);
  EXPECT_EQ(store.create_topic("t", -2, {}).status, StoreStatus::kInvalidPartitions);
  ASSERT_EQ(store.create_topic("t", 1, {}).status, StoreStatus::kOk);
  auto r = store.add_partitions("t", 10001);
  EXPECT_EQ(r.status, StoreStatus::kInvalidPartitions);
  EXPECT_NE(r.message.find("has 1 partitions"), std::string::npos) << r.message;
}

TEST(TopicStoreNames, TopicNamesFollowKafkasRules) {
  EXPECT_FALSE(invalid_topic_name("orders").has_value());
  EXPECT_FALSE(invalid_topic_name("A-z_0.9").has_value());
  EXPECT_FALSE(invalid_topic_name(".hidden").has_value())
      << "only '.' and '..' themselves are reserved";
  EXPECT_FALSE(invalid_topic_name(std::string(249, 'a')).has_value());
  EXPECT_TRUE(invalid_topic_name(std::string(250, 'a')).has_value());
  EXPECT_TRUE(invalid_topic_name("").has_value());
  EXPECT_TRUE(invalid_topic_name(".").has_value());
  EXPECT_TRUE(invalid_topic_name("..").has_value());
  EXPECT_TRUE(invalid_topic_name("with space").has_value());
  EXPECT_TRUE(invalid_topic_name("caf\xc3\xa9").has_value());
  EXPECT_NE(invalid_topic_name("a:b")->find("':'"), std::string::npos)
      << "the message names the bad character";
}

TEST(TopicStoreLookup, UnknownTopicsAndPartitionsAreReportedAsSuch) {
  TempDir dir;
  TopicStore store(dir.path(), {});
  ASSERT_EQ(store.create_topic("t", 1, {}).status, StoreStatus::kOk);
  EXPECT_EQ(store.partition("nope", 0), nullptr);
  EXPECT_EQ(store.partition("t", 1), nullptr);
  EXPECT_EQ(store.partition("t", -1), nullptr);
  EXPECT_FALSE(store.describe("nope").has_value());
  auto r = store.delete_topic("nope");
  EXPECT_EQ(r.status, StoreStatus::kUnknownTopic);
  EXPECT_NE(r.message.find("'nope'"), std::string::npos) << r.message;
  EXPECT_EQ(store.add_partitions("nope", 2).status, StoreStatus::kUnknownTopic);
}

TEST(TopicStoreLookup, ListReturnsEveryTopicInNameOrder) {
  TempDir dir;
  TopicStore store(dir.path(), {});
  for (const char* name : {"b", "c", "a"})
    ASSERT_EQ(store.create_topic(name, 1, {}).status, StoreStatus::kOk);
  std::vector<std::string> names;
  for (const auto& t : store.list()) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(TopicStoreDelete, APartitionOfADeletedTopicStaysReadableByWhoeverHoldsIt) {
  TempDir dir;
  TopicStore store(dir.path(), {});
  ASSERT_EQ(store.create_topic("t", 1, {}).status, StoreStatus::kOk);
  auto held = store.partition("t", 0);
  Bytes b = one_record("kept");
  held->append(b);
  ASSERT_EQ(store.delete_topic("t").status, StoreStatus::kOk);
  EXPECT_EQ(store.partition("t", 0), nullptr);
  auto r = held->read(0, 1 << 20);
  EXPECT_EQ(r.data, b) << "an in-flight fetch finishes with the data it was reading";
  ASSERT_EQ(store.create_topic("t", 1, {}).status, StoreStatus::kOk);
  EXPECT_EQ(store.partition("t", 0)->log_end_offset(), 0) << "a re-created topic starts empty";
}

TEST(TopicStoreLoad, ADirectoryWithoutTopicConfIsSkipped) {
  TempDir dir;
  fs::create_directories(dir.path() / "topics" / "ghost" / "0");
  TopicStore store(dir.path(), {});
  EXPECT_TRUE(store.list().empty());
  EXPECT_EQ(store.create_topic("ghost", 1, {}).status, StoreStatus::kOk)
      << "the name can be used again";
}

TEST(TopicStoreMaintenance, RetentionAndFlushingCoverEveryPartitionOfEveryTopic) {
  TempDir dir;
  TopicDefaults defaults;
  defaults.log.segment_bytes = 1024;
  defaults.log.retention_bytes = 1024;
  defaults.log.flush.always = false;
  TopicStore store(dir.path(), defaults);
  ASSERT_EQ(store.create_topic("a", 2, {}).status, StoreStatus::kOk);
  ASSERT_EQ(store.create_topic("b", 1, {}).status, StoreStatus::kOk);
  for (auto [topic, partition] : {std::pair{"a", 0}, {"a", 1}, {"b", 0}}) {
    for (int i = 0; i < 40; ++i) {
      Bytes b = one_record(std::string(100, 'x'));
      store.partition(topic, partition)->append(b);
    }
  }
  store.flush_due();
  store.flush_all();
  EXPECT_GT(store.enforce_retention(0), 0u);
  for (auto [topic, partition] : {std::pair{"a", 0}, {"a", 1}, {"b", 0}}) {
    EXPECT_GT(store.partition(topic, partition)->log_start_offset(), 0)
        << topic << "/" << partition;
  }
}

}  // namespace
}  // namespace sluice::broker
