// Partition logs and the topic store, on real files in a temporary directory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "broker/storage/partition_log.h"
#include "broker/storage/topic_store.h"
#include "temp_dir.h"

namespace sluice::broker {
namespace {

namespace fs = std::filesystem;

using TempDir = sluice::testing::TempDir;

// A batch of `n` records "prefix-i" with timestamps ts, ts+1, ...
Bytes make_batch(int n, const std::string& prefix, int64_t ts = 1000, Codec codec = Codec::kNone) {
  std::vector<RecordInput> records;
  for (int i = 0; i < n; ++i)
    records.push_back({ts + i, "k", prefix + "-" + std::to_string(i), {}});
  return build_batch(0, records, codec);
}

std::vector<std::string> values(const Bytes& data) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (auto h = parse_batch_header(ByteSpan(data).subspan(pos))) {
    for_each_record(ByteSpan(data).subspan(pos, h->total_size()), [&](const RecordView& r) {
      out.emplace_back(*r.value);
      return true;
    });
    pos += h->total_size();
  }
  return out;
}

LogConfig small_segments() {
  LogConfig c;
  c.segment_bytes = 4096;
  c.index_interval_bytes = 256;
  c.flush.always = false;
  return c;
}

int64_t append(PartitionLog& log, Bytes batch) {
  return log.append(batch).base_offset;
}

TEST(PartitionLog, AppendsGetContiguousOffsetsAcrossSegmentRolls) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), small_segments());
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(append(*log, make_batch(5, "b" + std::to_string(i))), i * 5);
  EXPECT_EQ(log->log_end_offset(), 500);
  EXPECT_GT(log->segment_count(), 2u);
  int64_t offset = 0;
  while (offset < 500) {
    auto r = log->read(offset, 1 << 20);
    ASSERT_FALSE(r.data.empty()) << "at " << offset;
    auto v = values(r.data);
    EXPECT_EQ(v.front(), "b" + std::to_string(offset / 5) + "-0");
    offset += int64_t(v.size());
  }
  EXPECT_EQ(offset, 500);
}

TEST(PartitionLog, AReadStartingMidBatchReturnsTheWholeBatch) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), small_segments());
  append(*log, make_batch(10, "a"));
  append(*log, make_batch(10, "b"));
  auto r = log->read(13, 1 << 20);
  auto v = values(r.data);
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(v.front(), "b-0");
}

TEST(PartitionLog, MaxBytesLimitsTheReadButTheFirstBatchAlwaysComesWhole) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), small_segments());
  Bytes one = make_batch(10, "a");
  size_t size = one.size();
  append(*log, one);
  append(*log, make_batch(10, "b"));
  append(*log, make_batch(10, "c"));
  EXPECT_EQ(log->read(0, 1).data.size(), size);
  EXPECT_EQ(log->read(0, int32_t(2 * size + 1)).data.size(), 2 * size);
  EXPECT_TRUE(log->read(30, 100).data.empty()) << "reading at the end yields nothing";
  EXPECT_TRUE(log->read(31, 100).out_of_range);
}

TEST(PartitionLog, RecoveryTruncatesATornTailAndKeepsEverythingBefore) {
  TempDir dir;
  {
    auto log = PartitionLog::open(dir.path(), LogConfig{});
    append(*log, make_batch(3, "ok"));
    append(*log, make_batch(3, "torn"));
  }
  auto seg = dir.path() / "00000000000000000000.log";
  fs::resize_file(seg, fs::file_size(seg) - 7);
  auto log = PartitionLog::open(dir.path(), LogConfig{});
  EXPECT_EQ(log->log_end_offset(), 3);
  EXPECT_EQ(values(log->read(0, 1 << 20).data), (std::vector<std::string>{"ok-0", "ok-1", "ok-2"}));
  EXPECT_EQ(append(*log, make_batch(1, "next")), 3) << "appends continue after the cut";
}

TEST(PartitionLog, RecoveryTruncatesABatchWhoseChecksumFails) {
  TempDir dir;
  size_t first_size = 0;
  {
    auto log = PartitionLog::open(dir.path(), LogConfig{});
    Bytes b = make_batch(3, "ok");
    first_size = b.size();
    append(*log, b);
    append(*log, make_batch(3, "corrupt"));
  }
  auto seg = dir.path() / "00000000000000000000.log";
  {
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(first_size + 70));
    f.put('X');
  }
  auto log = PartitionLog::open(dir.path(), LogConfig{});
  EXPECT_EQ(log->log_end_offset(), 3);
  EXPECT_EQ(fs::file_size(seg), first_size);
}

TEST(PartitionLog, MissingIndexesAreRebuiltFromTheLog) {
  TempDir dir;
  {
    auto log = PartitionLog::open(dir.path(), small_segments());
    for (int i = 0; i < 60; ++i) append(*log, make_batch(5, "x" + std::to_string(i)));
  }
  for (const auto& e : fs::directory_iterator(dir.path())) {
    if (e.path().extension() == ".index" || e.path().extension() == ".timeindex")
      fs::remove(e.path());
  }
  auto log = PartitionLog::open(dir.path(), small_segments());
  EXPECT_EQ(log->log_end_offset(), 300);
  EXPECT_EQ(values(log->read(152, 1).data).front(), "x30-0");
  EXPECT_EQ(log->offset_for_timestamp(1003)->first, 3);
}

class TimestampLookup : public ::testing::TestWithParam<Codec> {};

TEST_P(TimestampLookup, FindsTheFirstRecordAtOrAfterATimestampInsideABatch) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), LogConfig{});
  append(*log, make_batch(10, "early", 1000, GetParam()));  // timestamps 1000..1009
  append(*log, make_batch(10, "late", 5000, GetParam()));   // timestamps 5000..5009
  EXPECT_EQ(log->offset_for_timestamp(0), (std::pair<int64_t, int64_t>{0, 1000}));
  EXPECT_EQ(log->offset_for_timestamp(1004), (std::pair<int64_t, int64_t>{4, 1004}));
  EXPECT_EQ(log->offset_for_timestamp(2000), (std::pair<int64_t, int64_t>{10, 5000}));
  EXPECT_EQ(log->offset_for_timestamp(5009), (std::pair<int64_t, int64_t>{19, 5009}));
  EXPECT_FALSE(log->offset_for_timestamp(5010).has_value());
}

INSTANTIATE_TEST_SUITE_P(Codecs, TimestampLookup,
                         ::testing::Values(Codec::kNone, Codec::kGzip, Codec::kZstd));

TEST(PartitionLog, DeleteRecordsRaisesTheStartOffsetDurably) {
  TempDir dir;
  {
    auto log = PartitionLog::open(dir.path(), small_segments());
    for (int i = 0; i < 60; ++i) append(*log, make_batch(5, "x"));
    size_t before = log->segment_count();
    EXPECT_EQ(log->delete_records_before(200), 200);
    EXPECT_LT(log->segment_count(), before) << "whole segments below the start are gone";
    EXPECT_TRUE(log->read(10, 100).out_of_range);
    EXPECT_FALSE(log->delete_records_before(301).has_value());
  }
  auto log = PartitionLog::open(dir.path(), small_segments());
  EXPECT_EQ(log->log_start_offset(), 200);
  EXPECT_EQ(log->delete_records_before(-1), 300);
}

TEST(PartitionLog, RetentionByBytesDeletesTheOldestSegmentsButNeverTheActiveOne) {
  TempDir dir;
  LogConfig c = small_segments();
  c.retention_bytes = 4096;
  auto log = PartitionLog::open(dir.path(), c);
  for (int i = 0; i < 100; ++i) append(*log, make_batch(5, "x"));
  EXPECT_GT(log->enforce_retention(0), 0u);
  EXPECT_LE(log->size_bytes(), 4096 + 4096);
  EXPECT_GT(log->log_start_offset(), 0);
  EXPECT_EQ(log->log_end_offset(), 500);
  EXPECT_FALSE(log->read(log->log_start_offset(), 100).data.empty());
}

TEST(PartitionLog, RetentionByTimeDeletesSegmentsOlderThanRetentionMs) {
  TempDir dir;
  LogConfig c = small_segments();
  c.retention_ms = 1000;
  auto log = PartitionLog::open(dir.path(), c);
  for (int i = 0; i < 50; ++i) append(*log, make_batch(5, "x", 1000 + i));
  EXPECT_EQ(log->enforce_retention(1500), 0u) << "nothing is old enough yet";
  EXPECT_GT(log->enforce_retention(1'000'000), 0u);
  EXPECT_EQ(log->segment_count(), 1u);
}

TEST(TopicStore, TopicsPartitionsAndOverriddenConfigsSurviveReopening) {
  TempDir dir;
  {
    TopicStore store(dir.path(), {});
    EXPECT_EQ(store.create_topic("orders", 3, {{"retention.ms", "60000"}}).status,
              StoreStatus::kOk);
    EXPECT_EQ(store.create_topic("orders", 3, {}).status, StoreStatus::kTopicExists);
    EXPECT_EQ(store.add_partitions("orders", 5).status, StoreStatus::kOk);
    EXPECT_EQ(store.add_partitions("orders", 4).status, StoreStatus::kInvalidPartitions);
    Bytes b = make_batch(1, "v");
    store.partition("orders", 4)->append(b);
  }
  TopicStore store(dir.path(), {});
  auto info = store.describe("orders");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->partitions, 5);
  EXPECT_EQ(info->config.retention_ms, 60000);
  EXPECT_EQ(info->overrides.at("retention.ms"), "60000");
  EXPECT_EQ(store.partition("orders", 4)->log_end_offset(), 1);
  EXPECT_EQ(store.delete_topic("orders").status, StoreStatus::kOk);
  EXPECT_FALSE(store.describe("orders").has_value());
  EXPECT_FALSE(fs::exists(dir.path() / "topics" / "orders"));
}

TEST(TopicStore, BadNamesAndConfigsAreRefusedWithAReason) {
  TempDir dir;
  TopicStore store(dir.path(), {});
  auto r = store.create_topic("bad/name", 1, {});
  EXPECT_EQ(r.status, StoreStatus::kInvalidTopicName);
  EXPECT_NE(r.message.find("'/'"), std::string::npos) << r.message;
  r = store.create_topic("ok", 1, {{"retention.ms", "soon"}});
  EXPECT_EQ(r.status, StoreStatus::kInvalidConfig);
  EXPECT_NE(r.message.find("retention.ms"), std::string::npos) << r.message;
  EXPECT_EQ(store.create_topic("ok", 1, {{"no.such.config", "1"}}).status,
            StoreStatus::kInvalidConfig);
  EXPECT_EQ(store.create_topic("ok", 0, {}).status, StoreStatus::kInvalidPartitions);
  EXPECT_EQ(store.create_topic("..", 1, {}).status, StoreStatus::kInvalidTopicName);
}

}  // namespace
}  // namespace sluice::broker
