// Storage under damage and races: crashes that cut unsynced index files or lost
// file removals, stale handles to deleted topics, garbage after a sealed
// segment's last batch, malformed metadata, and config changes on live topics.
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

using ScratchDir = sluice::testing::TempDir;

Bytes batch_of(int n, int64_t first_ts) {
  std::vector<RecordInput> records;
  for (int i = 0; i < n; ++i)
    records.push_back({first_ts + i, std::nullopt, "v" + std::to_string(i), {}});
  return build_batch(0, records);
}

LogConfig tiny_segments() {
  LogConfig c;
  c.segment_bytes = 1024;
  c.index_interval_bytes = 128;
  c.flush.always = false;
  return c;
}

TEST(StorageRobustness, TimestampLookupAfterDeleteRecordsReportsALiveRecord) {
  ScratchDir dir;
  auto log = PartitionLog::open(dir.path(), LogConfig{});
  Bytes a = batch_of(10, 1000), b = batch_of(10, 2000);
  log->append(a);
  log->append(b);
  ASSERT_EQ(log->delete_records_before(5), 5);
  EXPECT_EQ(log->offset_for_timestamp(1000), (std::pair<int64_t, int64_t>{5, 1005}));
}

// The largest batch timestamp in a segment file, read straight from the bytes.
int64_t max_timestamp_in(const fs::path& segment) {
  std::ifstream in(segment, std::ios::binary);
  Bytes data((std::istreambuf_iterator<char>(in)), {});
  int64_t max_ts = -1;
  size_t pos = 0;
  while (auto h = parse_batch_header(ByteSpan(data).subspan(pos))) {
    max_ts = std::max(max_ts, h->max_timestamp);
    pos += h->total_size();
  }
  return max_ts;
}

TEST(StorageRobustness, AShortTimeIndexOnASealedSegmentIsCompletedAtStartUp) {
  ScratchDir dir;
  {
    auto log = PartitionLog::open(dir.path(), tiny_segments());
    for (int i = 0; i < 40; ++i) {
      Bytes b = batch_of(3, 1000 + 10 * i);
      log->append(b);
    }
    ASSERT_GT(log->segment_count(), 2u);
  }
  // A power cut after the roll lost the last time-index entry of the first
  // segment (index files are not fsync'ed); the log itself was synced at the
  // roll.
  auto tidx = dir.path() / "00000000000000000000.timeindex";
  ASSERT_GE(fs::file_size(tidx), 24u);
  fs::resize_file(tidx, fs::file_size(tidx) - 12);
  int64_t newest = max_timestamp_in(dir.path() / "00000000000000000000.log");
  auto log = PartitionLog::open(dir.path(), tiny_segments());
  auto found = log->offset_for_timestamp(newest);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->second, newest) << "the first segment's newest record must still be found";
}

TEST(StorageRobustness, AHandleToADeletedTopicCannotWriteIntoItsRecreatedNamesake) {
  ScratchDir dir;
  TopicDefaults defaults;
  defaults.log = tiny_segments();
  TopicStore store(dir.path(), defaults);
  ASSERT_EQ(store.create_topic("t", 1, {}).status, StoreStatus::kOk);
  auto stale = store.partition("t", 0);
  for (int i = 0; i < 5; ++i) {
    Bytes b = batch_of(3, 1000);
    stale->append(b);
  }
  ASSERT_EQ(store.delete_topic("t").status, StoreStatus::kOk);
  ASSERT_EQ(store.create_topic("t", 1, {}).status, StoreStatus::kOk);
  // An in-flight produce still holding the old partition keeps appending;
  // whether it fails or not, the new topic's directory must not receive its
  // segments.
  for (int i = 0; i < 20; ++i) {
    Bytes b = batch_of(3, 1000);
    try {
      stale->append(b);
    } catch (const std::exception&) {
    }
  }
  stale.reset();
  TopicStore reopened(dir.path(), defaults);
  EXPECT_EQ(reopened.partition("t", 0)->log_end_offset(), 0);
}

TEST(StorageRobustness, AMalformedTopicConfNamesTheFileInsteadOfSayingStoi) {
  ScratchDir dir;
  fs::create_directories(dir.path() / "topics" / "t");
  std::ofstream(dir.path() / "topics" / "t" / "topic.conf") << "partitions=lots\n";
  try {
    TopicStore store(dir.path(), {});
    SUCCEED() << "skipping the broken topic is acceptable too";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("topic.conf"), std::string::npos) << e.what();
  }
}

Bytes read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), {});
}

void append_bytes(const fs::path& p, const Bytes& b) {
  std::ofstream out(p, std::ios::binary | std::ios::app);
  out.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

// Reads the whole log batch by batch, checking offsets rise without gaps; returns the next offset.
int64_t read_contiguously(const PartitionLog& log) {
  int64_t next = log.log_start_offset();
  while (next < log.log_end_offset()) {
    auto r = log.read(next, 1 << 20);
    if (r.data.empty()) break;
    size_t pos = 0;
    while (auto h = parse_batch_header(ByteSpan(r.data).subspan(pos))) {
      EXPECT_LE(h->base_offset, next) << "batches must not jump ahead";
      EXPECT_GE(h->last_offset(), next) << "offsets went backwards at position " << pos;
      next = h->last_offset() + 1;
      pos += h->total_size();
    }
  }
  return next;
}

TEST(StorageRobustness, AppendsToADeletedTopicsPartitionAreRefusedNamingTheReason) {
  ScratchDir dir;
  TopicStore store(dir.path(), {});
  ASSERT_EQ(store.create_topic("t", 1, {}).status, StoreStatus::kOk);
  auto stale = store.partition("t", 0);
  ASSERT_EQ(store.delete_topic("t").status, StoreStatus::kOk);
  Bytes b = batch_of(1, 1000);
  try {
    stale->append(b);
    ADD_FAILURE() << "append to a deleted topic succeeded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("topic 't' was deleted"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(stale->delete_records_before(0).has_value());
  EXPECT_EQ(stale->enforce_retention(int64_t(1) << 50), 0u);
  EXPECT_TRUE(stale->offline().has_value());
}

TEST(StorageRobustness, ALeftoverTombstoneIsRemovedAtStartUpAndNeverLoadedAsATopic) {
  ScratchDir dir;
  fs::path tomb = dir.path() / "topics" / "~deleted-1";
  fs::create_directories(tomb / "0");
  std::ofstream(tomb / "topic.conf") << "partitions=1\n";
  TopicStore store(dir.path(), {});
  EXPECT_TRUE(store.list().empty());
  EXPECT_FALSE(fs::exists(tomb));
}

TEST(StorageRobustness, DeletingATopicLeavesNoDirectoryBehind) {
  ScratchDir dir;
  TopicStore store(dir.path(), {});
  ASSERT_EQ(store.create_topic("t", 2, {}).status, StoreStatus::kOk);
  ASSERT_EQ(store.delete_topic("t").status, StoreStatus::kOk);
  EXPECT_TRUE(fs::is_empty(dir.path() / "topics"));
}

TEST(StorageRobustness, AlterConfigsSetsAndRemovesOverridesForEveryPartitionDurably) {
  ScratchDir dir;
  TopicDefaults defaults;
  defaults.log.retention_ms = 1000;
  {
    TopicStore store(dir.path(), defaults);
    ASSERT_EQ(store.create_topic("t", 2, {{"retention.ms", "5"}}).status, StoreStatus::kOk);
    auto r =
        store.alter_configs("t", {{"retention.ms", std::nullopt}, {"retention.bytes", "4096"}});
    ASSERT_EQ(r.status, StoreStatus::kOk) << r.message;
    auto info = store.describe("t");
    EXPECT_EQ(info->config.retention_ms, 1000)
        << "a removed override falls back to the broker default";
    EXPECT_EQ(info->config.retention_bytes, 4096);
    EXPECT_EQ(info->overrides, (std::map<std::string, std::string>{{"retention.bytes", "4096"}}));
    EXPECT_EQ(store.partition("t", 1)->config().retention_bytes, 4096)
        << "live partitions see it at once";
  }
  TopicStore store(dir.path(), defaults);
  EXPECT_EQ(store.describe("t")->config.retention_bytes, 4096);
  EXPECT_EQ(store.describe("t")->config.retention_ms, 1000);
}

TEST(StorageRobustness, AlterConfigsIsAllOrNothing) {
  ScratchDir dir;
  TopicStore store(dir.path(), {});
  ASSERT_EQ(store.create_topic("t", 1, {{"retention.ms", "5"}}).status, StoreStatus::kOk);
  auto r = store.alter_configs("t", {{"retention.bytes", "100"}, {"retention.ms", "soon"}});
  EXPECT_EQ(r.status, StoreStatus::kInvalidConfig);
  EXPECT_NE(r.message.find("'soon'"), std::string::npos) << r.message;
  EXPECT_EQ(store.alter_configs("t", {{"retention.hours", std::nullopt}}).status,
            StoreStatus::kInvalidConfig);
  EXPECT_EQ(store.alter_configs("t", {{"retention.bytes", "100"}}, true).status, StoreStatus::kOk);
  EXPECT_EQ(store.describe("t")->overrides,
            (std::map<std::string, std::string>{{"retention.ms", "5"}}))
      << "refused and validate-only requests change nothing";
  EXPECT_EQ(store.alter_configs("nope", {}).status, StoreStatus::kUnknownTopic);
}

TEST(StorageRobustness, TheStartOffsetFileIsReplacedWholeAndNoTempFileStays) {
  ScratchDir dir;
  auto log = PartitionLog::open(dir.path(), LogConfig{});
  Bytes b = batch_of(10, 1000);
  log->append(b);
  ASSERT_EQ(log->delete_records_before(4), 4);
  std::ifstream in(dir.path() / "log-start-offset");
  int64_t stored = -1;
  in >> stored;
  EXPECT_EQ(stored, 4);
  EXPECT_FALSE(fs::exists(dir.path() / "log-start-offset.tmp"));
}

TEST(StorageRobustness, SegmentsWhoseRemovalACrashUndidAreDroppedAtStartUp) {
  ScratchDir dir;
  fs::path saved = dir.path() / "saved";
  fs::path part = dir.path() / "p";
  size_t segments_after = 0;
  {
    auto log = PartitionLog::open(part, tiny_segments());
    for (int i = 0; i < 40; ++i) {
      Bytes b = batch_of(3, 1000);
      log->append(b);
    }
    fs::create_directories(saved);
    for (const auto& e : fs::directory_iterator(part))
      fs::copy_file(e.path(), saved / e.path().filename());
    ASSERT_EQ(log->delete_records_before(90), 90);
    segments_after = log->segment_count();
  }
  // The crash: the start offset reached the disk, the removals did not.
  for (const auto& e : fs::directory_iterator(saved)) {
    if (e.path().filename() == "log-start-offset") continue;
    fs::copy_file(e.path(), part / e.path().filename(), fs::copy_options::overwrite_existing);
  }
  auto log = PartitionLog::open(part, tiny_segments());
  EXPECT_EQ(log->log_start_offset(), 90);
  EXPECT_EQ(log->segment_count(), segments_after);
  EXPECT_EQ(read_contiguously(*log), 120);
}

TEST(StorageRobustness, ACopyOfABatchAfterASealedSegmentsEndIsHiddenFromReaders) {
  ScratchDir dir;
  {
    auto log = PartitionLog::open(dir.path(), tiny_segments());
    for (int i = 0; i < 40; ++i) {
      Bytes b = batch_of(3, 1000);
      log->append(b);
    }
    ASSERT_GT(log->segment_count(), 2u);
  }
  fs::path first = dir.path() / "00000000000000000000.log";
  Bytes data = read_bytes(first);
  append_bytes(first, Bytes(data.begin(),
                            data.begin() + std::ptrdiff_t(parse_batch_header(data)->total_size())));
  auto log = PartitionLog::open(dir.path(), tiny_segments());
  EXPECT_EQ(log->log_end_offset(), 120);
  EXPECT_EQ(read_contiguously(*log), 120) << "readers never meet offset 0 again";
}

TEST(StorageRobustness, AnOffsetIndexEntryPointingMidBatchIsRebuilt) {
  ScratchDir dir;
  {
    auto log = PartitionLog::open(dir.path(), tiny_segments());
    for (int i = 0; i < 40; ++i) {
      Bytes b = batch_of(3, 1000);  // one timestamp range: the time index has a single entry
      log->append(b);
    }
    ASSERT_GT(log->segment_count(), 2u);
  }
  fs::path index = dir.path() / "00000000000000000000.index";
  Bytes entries(16, 0);  // (0, 0) then (3, 5): offset 3 does not start at byte 5
  store_be32(&entries[8], 3);
  store_be32(&entries[12], 5);
  std::ofstream(index, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(entries.data()), 16);
  auto log = PartitionLog::open(dir.path(), tiny_segments());
  auto r = log->read(4, 1);
  auto h = parse_batch_header(r.data);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->base_offset, 3);
  EXPECT_GT(fs::file_size(index), 16u) << "the rebuilt index replaced the bad one";
}

}  // namespace
}  // namespace sluice::broker
