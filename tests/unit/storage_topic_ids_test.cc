// Topic ids (storage/topic_store.h): minted at creation, kept in topic.conf
// across restarts, never reused by a re-created topic, found by id, a delete by
// id that cannot take another topic, and the data directory migration that gives
// topics of an older directory their ids.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "broker/storage/data_dir_format.h"
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

void write_text(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

TEST(TopicIds, EachTopicGetsItsOwnIdWhichSurvivesAReopen) {
  TempDir dir;
  Uuid a, b;
  {
    TopicStore store(dir.path(), {});
    TopicStore::TopicInfo created;
    ASSERT_EQ(store.create_topic("a", 1, {}, false, &created).status, StoreStatus::kOk);
    ASSERT_EQ(store.create_topic("b", 1, {}).status, StoreStatus::kOk);
    a = store.describe("a")->id;
    b = store.describe("b")->id;
    EXPECT_EQ(created.id, a) << "create_topic reports the id it minted";
    EXPECT_FALSE(a.is_zero());
    EXPECT_NE(a, b);
    EXPECT_EQ(a.bytes[6] >> 4, 4) << "a version 4 UUID";
  }
  TopicStore reopened(dir.path(), {});
  EXPECT_EQ(reopened.describe("a")->id, a);
  EXPECT_EQ(reopened.describe("b")->id, b);
  EXPECT_EQ(reopened.describe(a)->name, "a");
  EXPECT_EQ(reopened.describe(b)->name, "b");
}

TEST(TopicIds, ValidateOnlyMintsNoId) {
  TempDir dir;
  TopicStore store(dir.path(), {});
  TopicStore::TopicInfo would_be;
  ASSERT_EQ(store.create_topic("v", 3, {}, true, &would_be).status, StoreStatus::kOk);
  EXPECT_TRUE(would_be.id.is_zero());
  EXPECT_EQ(would_be.partitions, 3);
}

TEST(TopicIds, ATopicReCreatedUnderTheSameNameGetsANewId) {
  TempDir dir;
  TopicStore store(dir.path(), {});
  ASSERT_EQ(store.create_topic("t", 1, {}).status, StoreStatus::kOk);
  Uuid first = store.describe("t")->id;
  ASSERT_EQ(store.delete_topic("t").status, StoreStatus::kOk);
  EXPECT_FALSE(store.describe(first)) << "the old id names nothing any more";
  ASSERT_EQ(store.create_topic("t", 1, {}).status, StoreStatus::kOk);
  EXPECT_NE(store.describe("t")->id, first);
  EXPECT_FALSE(store.describe(first));
}

TEST(TopicIds, DeleteByIdTakesOnlyTheTopicThatStillHasThatId) {
  TempDir dir;
  TopicStore store(dir.path(), {});
  ASSERT_EQ(store.create_topic("t", 1, {}).status, StoreStatus::kOk);
  Uuid old_id = store.describe("t")->id;
  ASSERT_EQ(store.delete_topic("t").status, StoreStatus::kOk);
  ASSERT_EQ(store.create_topic("t", 1, {}).status, StoreStatus::kOk);
  auto stale = store.delete_topic("t", old_id);
  EXPECT_EQ(stale.status, StoreStatus::kUnknownTopicId);
  EXPECT_NE(stale.message.find(old_id.to_string()), std::string::npos) << stale.message;
  EXPECT_TRUE(store.describe("t")) << "the re-created topic is untouched";
  EXPECT_EQ(store.delete_topic("t", store.describe("t")->id).status, StoreStatus::kOk);
  EXPECT_FALSE(store.describe("t"));
}

TEST(TopicIds, ADamagedIdIsRefusedNamingTheFile) {
  TempDir dir;
  write_text(dir.path() / "topics" / "t" / "topic.conf", "id=not-an-id\npartitions=1\n");
  try {
    TopicStore store(dir.path(), {});
    FAIL() << "a damaged id must not be replaced silently";
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("topic.conf"), std::string::npos) << what;
    EXPECT_NE(what.find("not-an-id"), std::string::npos) << what;
  }
}

// A directory of format 1 (topic.conf without ids), as releases before topic ids
// wrote it, opened by this release.
TEST(TopicIdMigration, OpeningAFormatOneDirectoryGivesEveryTopicAnIdAndKeepsTheRest) {
  TempDir dir;
  write_marker(dir.path(), {1, "cluster-1"});
  write_text(dir.path() / "topics" / "orders" / "topic.conf", "partitions=2\nretention.ms=5000\n");
  fs::create_directories(dir.path() / "topics" / "orders" / "0");
  fs::create_directories(dir.path() / "topics" / "orders" / "1");
  write_text(dir.path() / "topics" / "events" / "topic.conf", "partitions=1\n");
  write_text(dir.path() / "topics" / "~deleted-3" / "topic.conf", "partitions=1\n");
  fs::create_directories(dir.path() / "topics" / "no-conf" / "0");

  DataDirMarker m = open_data_dir(dir.path());
  EXPECT_EQ(m.version, current_data_dir_format());
  EXPECT_EQ(m.cluster_id, "cluster-1");
  std::string orders = read_text(dir.path() / "topics" / "orders" / "topic.conf");
  ASSERT_TRUE(orders.starts_with("id=")) << orders;
  EXPECT_TRUE(orders.ends_with("\npartitions=2\nretention.ms=5000\n")) << orders;
  EXPECT_EQ(read_text(dir.path() / "topics" / "~deleted-3" / "topic.conf"), "partitions=1\n")
      << "a tombstone is removed at start, not migrated";
  EXPECT_FALSE(fs::exists(dir.path() / "topics" / "no-conf" / "topic.conf"));

  TopicStore store(dir.path(), {});
  auto o = store.describe("orders");
  auto e = store.describe("events");
  ASSERT_TRUE(o && e);
  EXPECT_EQ("id=" + o->id.to_string() + "\n", orders.substr(0, orders.find('\n') + 1));
  EXPECT_NE(o->id, e->id);
  EXPECT_EQ(o->partitions, 2);
  EXPECT_EQ(o->overrides.at("retention.ms"), "5000");
}

TEST(TopicIdMigration, RunningTheStepAgainKeepsTheIdsItGave) {
  TempDir dir;
  write_text(dir.path() / "topics" / "t" / "topic.conf", "partitions=1\n");
  assign_missing_topic_ids(dir.path());
  std::string once = read_text(dir.path() / "topics" / "t" / "topic.conf");
  assign_missing_topic_ids(dir.path());
  EXPECT_EQ(read_text(dir.path() / "topics" / "t" / "topic.conf"), once)
      << "a crash after the step re-runs it over its own result";
}

}  // namespace
}  // namespace sluice::broker
