// SpillLog: one partition's spill files (docs/formats/spill-segment.md).
#include "pipeline/spill/spill_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "temp_dir.h"

namespace sluice::pipeline::spill {
namespace {

namespace fs = std::filesystem;

Record record_at(int64_t offset) {
  Record r;
  r.offset = offset;
  r.timestamp_ms = 1'700'000'000'000 + offset;
  r.key = "key-" + std::to_string(offset);
  r.value = "value of " + std::to_string(offset);
  r.headers = {{"h", std::to_string(offset)}};
  return r;
}

std::vector<int64_t> read_all(SpillLog& log) {
  std::vector<int64_t> offsets;
  while (const Record* r = log.peek()) {
    offsets.push_back(r->offset);
    log.advance();
  }
  return offsets;
}

std::vector<fs::path> segment_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

TEST(SpillLog, RecordsComeBackWholeAndInOrderAfterReopening) {
  testing::TempDir dir("spill-log");
  Record keyless = record_at(7);
  keyless.key.reset();
  keyless.trace_id = "trace-7";
  Record tombstone = record_at(9);
  tombstone.value.clear();
  tombstone.null_value = true;
  tombstone.headers = {{"a", "1"}, {"a", "2"}, {"empty", ""}};
  {
    SpillLog log(dir.path(), 1 << 20);
    ASSERT_TRUE(log.append(record_at(5)));
    ASSERT_TRUE(log.append(keyless));
    ASSERT_TRUE(log.append(tombstone));
    EXPECT_EQ(log.durable_end(), -1) << "nothing is durable before sync()";
    log.sync();
    EXPECT_EQ(log.durable_end(), 10);
  }
  SpillLog log(dir.path(), 1 << 20);
  EXPECT_EQ(log.recovery().records, 3);
  EXPECT_EQ(log.recovery().dropped_bytes, 0);
  EXPECT_EQ(log.first(), 5);
  EXPECT_EQ(log.end(), 10);
  EXPECT_EQ(log.durable_end(), 10);
  const Record* r = log.peek();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->offset, 5);
  EXPECT_EQ(r->timestamp_ms, record_at(5).timestamp_ms);
  EXPECT_EQ(r->key, record_at(5).key);
  EXPECT_EQ(r->value, record_at(5).value);
  EXPECT_EQ(r->headers, record_at(5).headers);
  log.advance();
  r = log.peek();
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->key.has_value());
  EXPECT_EQ(r->trace_id, "trace-7");
  log.advance();
  r = log.peek();
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->null_value);
  EXPECT_EQ(r->headers, tombstone.headers);
  log.advance();
  EXPECT_EQ(log.peek(), nullptr);
  EXPECT_EQ(log.read_position(), 10);
}

TEST(SpillLog, ATornTailIsCutOnReopenAndLaterAppendsFollowIt) {
  testing::TempDir dir("spill-log");
  {
    SpillLog log(dir.path(), 1 << 20);
    for (int64_t o = 0; o < 5; ++o) ASSERT_TRUE(log.append(record_at(o)));
    log.sync();
  }
  const fs::path segment = segment_files(dir.path()).front();
  fs::resize_file(segment, fs::file_size(segment) - 3);  // kill -9 in the middle of entry 4
  {
    SpillLog log(dir.path(), 1 << 20);
    EXPECT_EQ(log.recovery().records, 4);
    EXPECT_GT(log.recovery().dropped_bytes, 0);
    EXPECT_NE(log.recovery().dropped_reason.find(segment.filename().string()), std::string::npos);
    EXPECT_EQ(log.end(), 4);
    ASSERT_TRUE(log.append(record_at(4)));
    ASSERT_TRUE(log.append(record_at(5)));
    log.sync();
  }
  SpillLog log(dir.path(), 1 << 20);
  EXPECT_EQ(log.recovery().dropped_bytes, 0);
  EXPECT_EQ(read_all(log), (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
}

TEST(SpillLog, AFlippedByteEndsTheLogAtItsEntryAndDropsLaterSegments) {
  testing::TempDir dir("spill-log");
  uint64_t third_entry_at = 0;
  {
    SpillLog log(dir.path(), 1 << 20, /*segment_bytes=*/200);
    for (int64_t o = 0; o < 12; ++o) {
      if (o == 2) third_entry_at = log.bytes();
      ASSERT_TRUE(log.append(record_at(o)));
    }
    log.sync();
  }
  std::vector<fs::path> files = segment_files(dir.path());
  ASSERT_GT(files.size(), 2u) << "the test needs entries in several segments";
  {
    std::fstream f(files.front(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(third_entry_at + 20));  // inside entry 2's body
    char c = 0;
    f.seekg(f.tellp());
    f.get(c);
    f.seekp(std::streamoff(third_entry_at + 20));
    f.put(char(c ^ 0x40));
  }
  SpillLog log(dir.path(), 1 << 20, 200);
  EXPECT_EQ(read_all(log), (std::vector<int64_t>{0, 1}));
  EXPECT_NE(log.recovery().dropped_reason.find("CRC"), std::string::npos)
      << log.recovery().dropped_reason;
  EXPECT_EQ(segment_files(dir.path()).size(), 1u) << "later segments are deleted";
  EXPECT_EQ(log.bytes(), fs::file_size(files.front()));
}

TEST(SpillLog, AppendRefusesARecordThatWouldPassTheByteBound) {
  testing::TempDir dir("spill-log");
  SpillLog log(dir.path(), /*max_bytes=*/300);
  int64_t offset = 0;
  while (log.append(record_at(offset))) ++offset;
  EXPECT_GT(offset, 1);
  EXPECT_LE(log.bytes(), 300u);
  EXPECT_EQ(log.end(), offset) << "a refused record is not written";
  read_all(log);
  log.discard_through(log.end());
  EXPECT_EQ(log.bytes(), 0u);
  EXPECT_TRUE(log.append(record_at(offset))) << "space comes back once the spill is drained";
}

TEST(SpillLog, DiscardDeletesOnlySegmentsWhoseRecordsAreAllBelowIt) {
  testing::TempDir dir("spill-log");
  SpillLog log(dir.path(), 1 << 20, /*segment_bytes=*/100);  // two entries a segment
  for (int64_t o = 0; o < 10; ++o) ASSERT_TRUE(log.append(record_at(o)));
  log.sync();
  EXPECT_EQ(segment_files(dir.path()).size(), 5u);
  const uint64_t before = log.bytes();

  log.discard_through(5);  // 0-1 and 2-3 go; 4-5 holds 5, which is still needed
  EXPECT_EQ(segment_files(dir.path()).size(), 3u);
  EXPECT_LT(log.bytes(), before);
  EXPECT_EQ(log.first(), 5);
  EXPECT_EQ(log.read_position(), 5) << "the read position moves past discarded records";
  EXPECT_EQ(read_all(log), (std::vector<int64_t>{5, 6, 7, 8, 9}));

  log.discard_through(10);
  EXPECT_TRUE(log.empty());
  EXPECT_TRUE(segment_files(dir.path()).empty());
  EXPECT_EQ(log.end(), 10) << "the end is remembered for the offsets that follow";
}

TEST(SpillLog, AReopenedLogStartsAtItsFirstKeptSegment) {
  testing::TempDir dir("spill-log");
  {
    SpillLog log(dir.path(), 1 << 20, 100);
    for (int64_t o = 0; o < 6; ++o) ASSERT_TRUE(log.append(record_at(o)));
    log.discard_through(3);  // 2 is kept on disk with 3
    log.sync();
  }
  SpillLog log(dir.path(), 1 << 20, 100);
  EXPECT_EQ(log.first(), 2);
  EXPECT_EQ(read_all(log), (std::vector<int64_t>{2, 3, 4, 5}));
}

TEST(SpillLog, RecordsAppendedAfterReadingStartedAreReadToo) {
  testing::TempDir dir("spill-log");
  SpillLog log(dir.path(), 1 << 20, 100);
  ASSERT_TRUE(log.append(record_at(0)));
  EXPECT_EQ(read_all(log), (std::vector<int64_t>{0}));
  EXPECT_FALSE(log.unread());
  for (int64_t o = 1; o < 5; ++o) ASSERT_TRUE(log.append(record_at(o)));
  EXPECT_EQ(read_all(log), (std::vector<int64_t>{1, 2, 3, 4}));
}

TEST(SpillLog, AnOffsetNotAboveTheEndIsRefusedWithTheReason) {
  testing::TempDir dir("spill-log");
  SpillLog log(dir.path(), 1 << 20);
  ASSERT_TRUE(log.append(record_at(4)));
  try {
    log.append(record_at(4));
    FAIL() << "a repeated offset was appended";
  } catch (const SpillError& e) {
    EXPECT_NE(std::string(e.what()).find("offset order"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sluice::pipeline::spill
