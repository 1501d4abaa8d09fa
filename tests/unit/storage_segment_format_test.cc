// The on-disk layout of a partition directory, read back byte by byte: segment
// names, the .log contents, and the two index formats. Other tools (and a
// future version of this broker) rely on these files, not on our classes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "broker/storage/partition_log.h"
#include "temp_dir.h"

namespace sluice::broker {
namespace {

namespace fs = std::filesystem;

using TempDir = sluice::testing::TempDir;

Bytes read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), {});
}

// Batch i holds 4 records; its timestamps rise overall but dip inside some batches.
Bytes numbered_batch(int i) {
  std::vector<RecordInput> records;
  for (int r = 0; r < 4; ++r)
    records.push_back({1000 + 10 * i + (r == 2 ? -15 : r), "key", "value", {}});
  return build_batch(0, records);
}

LogConfig small() {
  LogConfig c;
  c.segment_bytes = 2048;
  c.index_interval_bytes = 300;
  c.flush.always = false;
  return c;
}

// Every batch in a .log file, by position.
std::map<uint64_t, BatchHeader> batches_in(const Bytes& log) {
  std::map<uint64_t, BatchHeader> out;
  size_t pos = 0;
  while (auto h = parse_batch_header(ByteSpan(log).subspan(pos))) {
    out[pos] = *h;
    pos += h->total_size();
  }
  EXPECT_EQ(pos, log.size()) << "the log holds whole batches only";
  return out;
}

std::vector<fs::path> segment_logs(const fs::path& dir) {
  std::vector<fs::path> logs;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".log") logs.push_back(e.path());
  }
  std::sort(logs.begin(), logs.end());
  return logs;
}

class SegmentFormat : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = PartitionLog::open(dir_.path(), small());
    for (int i = 0; i < 40; ++i) {
      Bytes b = numbered_batch(i);
      log->append(b);
      appended_.push_back(b);
    }
    ASSERT_GT(log->segment_count(), 2u);
  }
  TempDir dir_;
  std::vector<Bytes> appended_;  // as the log rewrote them: with their assigned offsets
};

TEST_F(SegmentFormat, EachSegmentIsNamedByItsBaseOffsetInTwentyDigitsWithBothIndexes) {
  for (const auto& log : segment_logs(dir_.path())) {
    std::string stem = log.stem().string();
    ASSERT_EQ(stem.size(), 20u) << log;
    EXPECT_TRUE(fs::exists(dir_.path() / (stem + ".index"))) << stem;
    EXPECT_TRUE(fs::exists(dir_.path() / (stem + ".timeindex"))) << stem;
    auto first = batches_in(read_file(log)).begin()->second;
    EXPECT_EQ(first.base_offset, std::stoll(stem))
        << "a segment's name is the offset of its first batch";
  }
}

TEST_F(SegmentFormat, TheLogFilesHoldTheBatchesExactlyAsAppendedWithTheirAssignedOffsets) {
  Bytes all;
  for (const auto& log : segment_logs(dir_.path())) {
    Bytes b = read_file(log);
    all.insert(all.end(), b.begin(), b.end());
  }
  Bytes expected;
  int64_t next = 0;
  for (const auto& b : appended_) {
    EXPECT_EQ(parse_batch_header(b)->base_offset, next)
        << "append() rewrites the caller's batch in place";
    EXPECT_TRUE(validate_batch(b).ok) << "the checksum does not cover the base offset";
    next += 4;
    expected.insert(expected.end(), b.begin(), b.end());
  }
  EXPECT_EQ(all, expected);
}

TEST_F(SegmentFormat, OffsetIndexEntriesAreBigEndianRelativeOffsetAndPositionOfABatchStart) {
  for (const auto& log : segment_logs(dir_.path())) {
    int64_t base = std::stoll(log.stem().string());
    auto batches = batches_in(read_file(log));
    Bytes index = read_file(fs::path(log).replace_extension(".index"));
    ASSERT_EQ(index.size() % 8, 0u);
    ASSERT_GE(index.size(), 8u);
    EXPECT_LT(index.size() / 8, batches.size())
        << "the index is sparse: one entry per index_interval_bytes";
    uint32_t last_position = 0;
    for (size_t i = 0; i < index.size(); i += 8) {
      uint32_t relative = load_be32(&index[i]);
      uint32_t position = load_be32(&index[i + 4]);
      ASSERT_TRUE(batches.count(position))
          << "entry " << i / 8 << " of " << log << " points mid-batch";
      EXPECT_EQ(batches[position].base_offset, base + relative);
      if (i > 0) {
        EXPECT_GT(position, last_position);
      }
      last_position = position;
    }
  }
}

TEST_F(SegmentFormat, TimeIndexEntriesAreBigEndianTimestampAndRelativeOffsetOfTheNewestSoFar) {
  for (const auto& log : segment_logs(dir_.path())) {
    int64_t base = std::stoll(log.stem().string());
    // The largest timestamp seen up to and including each batch's last offset.
    std::map<int64_t, int64_t> newest_at;
    int64_t newest = -1;
    for (const auto& [pos, h] : batches_in(read_file(log))) {
      newest = std::max(newest, h.max_timestamp);
      newest_at[h.last_offset()] = newest;
    }
    Bytes index = read_file(fs::path(log).replace_extension(".timeindex"));
    ASSERT_EQ(index.size() % 12, 0u);
    ASSERT_GE(index.size(), 12u);
    int64_t last_ts = -1;
    for (size_t i = 0; i < index.size(); i += 12) {
      int64_t ts = int64_t(load_be64(&index[i]));
      int64_t offset = base + load_be32(&index[i + 8]);
      ASSERT_TRUE(newest_at.count(offset)) << "a time entry names the last offset of a batch";
      EXPECT_EQ(ts, newest_at[offset]);
      EXPECT_GT(ts, last_ts) << "entries are added only when the newest timestamp grows";
      last_ts = ts;
    }
    EXPECT_EQ(last_ts, newest) << "the last entry carries the segment's newest timestamp";
  }
}

}  // namespace
}  // namespace sluice::broker
