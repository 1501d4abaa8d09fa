// PartitionLog behaviour beyond the basics in storage_test.cc: every way
// recovery can stop, reads racing appends and retention, and the edges of
// timestamps, DeleteRecords, retention and live config changes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "broker/storage/partition_log.h"
#include "broker/storage/record_batch.h"
#include "common/clock.h"
#include "temp_dir.h"

namespace sluice::broker {
namespace {

namespace fs = std::filesystem;

using TempDir = sluice::testing::TempDir;

Bytes batch_with_timestamps(const std::vector<int64_t>& timestamps, int64_t base_offset = 0) {
  std::vector<RecordInput> records;
  for (int64_t ts : timestamps) records.push_back({ts, std::nullopt, "v" + std::to_string(ts), {}});
  return build_batch(base_offset, records);
}

Bytes batch_of(int n, int64_t first_ts = 1000) {
  std::vector<int64_t> ts;
  for (int i = 0; i < n; ++i) ts.push_back(first_ts + i);
  return batch_with_timestamps(ts);
}

int64_t append(PartitionLog& log, Bytes b) {
  return log.append(b).base_offset;
}

LogConfig small_segments() {
  LogConfig c;
  c.segment_bytes = 2048;
  c.index_interval_bytes = 256;
  c.flush.always = false;
  return c;
}

const fs::path kFirstSegment = "00000000000000000000.log";

void append_raw(const fs::path& file, const Bytes& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::app);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

void overwrite_byte(const fs::path& file, size_t at, char value) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(std::streamoff(at));
  f.put(value);
}

// Parses `data` as back-to-back batches, checking each one fully; returns the last offset.
int64_t check_whole_batches(const Bytes& data) {
  int64_t last = -1;
  size_t pos = 0;
  while (pos < data.size()) {
    auto h = parse_batch_header(ByteSpan(data).subspan(pos));
    if (!h || pos + h->total_size() > data.size()) {
      ADD_FAILURE() << "a read returned a partial batch at byte " << pos;
      return last;
    }
    auto check = validate_batch(ByteSpan(data).subspan(pos, h->total_size()));
    EXPECT_TRUE(check.ok) << check.reason;
    last = h->last_offset();
    pos += h->total_size();
  }
  return last;
}

TEST(PartitionLogRecovery, StopsAtABatchWhoseOffsetDoesNotFollowThePreviousOne) {
  TempDir dir;
  uintmax_t good_size = 0;
  {
    auto log = PartitionLog::open(dir.path(), LogConfig{});
    append(*log, batch_of(3));
    append(*log, batch_of(3));
    good_size = fs::file_size(dir.path() / kFirstSegment);
  }
  append_raw(dir.path() / kFirstSegment, batch_of(2));  // checksum-valid, but claims offset 0 again
  auto log = PartitionLog::open(dir.path(), LogConfig{});
  EXPECT_EQ(log->log_end_offset(), 6);
  EXPECT_EQ(fs::file_size(dir.path() / kFirstSegment), good_size);
}

TEST(PartitionLogRecovery, StopsAtAMagicOtherThanTwo) {
  TempDir dir;
  size_t first_size = 0;
  {
    auto log = PartitionLog::open(dir.path(), LogConfig{});
    Bytes first = batch_of(3);
    first_size = first.size();
    append(*log, first);
    append(*log, batch_of(3));
  }
  overwrite_byte(dir.path() / kFirstSegment, first_size + kMagicOffset, 1);
  auto log = PartitionLog::open(dir.path(), LogConfig{});
  EXPECT_EQ(log->log_end_offset(), 3);
  EXPECT_EQ(fs::file_size(dir.path() / kFirstSegment), first_size);
}

TEST(PartitionLogRecovery, ASegmentHoldingOnlyPartOfAHeaderBecomesEmpty) {
  TempDir dir;
  append_raw(dir.path() / kFirstSegment, Bytes(20, 0x7f));
  auto log = PartitionLog::open(dir.path(), LogConfig{});
  EXPECT_EQ(log->log_end_offset(), 0);
  EXPECT_EQ(fs::file_size(dir.path() / kFirstSegment), 0u);
  EXPECT_EQ(append(*log, batch_of(1)), 0);
}

TEST(PartitionLogRecovery, OnlyTheActiveSegmentIsCutAndLaterAppendsContinueTheOffsets) {
  TempDir dir;
  {
    auto log = PartitionLog::open(dir.path(), small_segments());
    for (int i = 0; i < 60; ++i) append(*log, batch_of(5));
    ASSERT_GT(log->segment_count(), 2u);
  }
  fs::path active;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    if (e.path().extension() == ".log" && e.path() > active) active = e.path();
  }
  fs::resize_file(active, fs::file_size(active) - 1);
  auto log = PartitionLog::open(dir.path(), small_segments());
  EXPECT_EQ(log->log_end_offset(), 295) << "only the torn last batch is lost";
  EXPECT_EQ(append(*log, batch_of(5)), 295);
  int64_t next = 0;  // older segments are untouched: everything reads back contiguously
  while (next < log->log_end_offset()) {
    auto r = log->read(next, 1 << 20);
    ASSERT_FALSE(r.data.empty()) << "nothing to read at offset " << next;
    next = check_whole_batches(r.data) + 1;
  }
  EXPECT_EQ(next, 300);
}

TEST(PartitionLogConcurrency,
     ReadersSeeOnlyWholeBatchesBelowTheHighWatermarkWhileAppendsAndRetentionRun) {
  TempDir dir;
  LogConfig c = small_segments();
  c.retention_bytes = 8192;
  auto log = PartitionLog::open(dir.path(), c);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 400; ++i) {
      append(*log, batch_of(1 + i % 7));
      if (i % 25 == 0) log->enforce_retention(0);
    }
    done = true;
  });
  int reads = 0;
  while (!done || reads < 50) {
    int64_t start = log->log_start_offset(), end = log->log_end_offset();
    int64_t offset = start + (end > start ? reads % (end - start + 1) : 0);
    auto r = log->read(offset, 1 + (reads * 97) % 3000);
    ++reads;
    if (r.out_of_range) {
      EXPECT_LT(offset, log->log_start_offset())
          << "only retention may move an offset out of range";
      continue;
    }
    int64_t last = check_whole_batches(r.data);
    EXPECT_LT(last, r.high_watermark) << "no data beyond the high watermark";
  }
  writer.join();
  EXPECT_GT(log->log_start_offset(), 0) << "retention ran during the reads";
}

TEST(PartitionLogRead, MaxBytesOfZeroStillReturnsTheFirstWholeBatch) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), LogConfig{});
  Bytes first = batch_of(4);
  append(*log, first);
  append(*log, batch_of(4));
  EXPECT_EQ(log->read(2, 0).data, first);
}

TEST(PartitionLogRead, AnEmptyLogHasNothingAtZeroAndNothingBeyond) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), LogConfig{});
  EXPECT_EQ(log->log_start_offset(), 0);
  EXPECT_EQ(log->log_end_offset(), 0);
  auto r = log->read(0, 1000);
  EXPECT_FALSE(r.out_of_range);
  EXPECT_TRUE(r.data.empty());
  EXPECT_EQ(r.high_watermark, 0);
  EXPECT_TRUE(log->read(1, 1000).out_of_range);
  EXPECT_FALSE(log->offset_for_timestamp(0).has_value());
}

TEST(PartitionLogTimestamps, TheFirstRecordAtOrAfterATimestampIsFoundEvenWhenTimestampsDip) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), LogConfig{});
  append(*log, batch_with_timestamps({5000, 1000, 6000}));
  using Hit = std::pair<int64_t, int64_t>;
  EXPECT_EQ(log->offset_for_timestamp(2000), (Hit{0, 5000}))
      << "the first offset, not the closest timestamp";
  EXPECT_EQ(log->offset_for_timestamp(5500), (Hit{2, 6000}));
  EXPECT_FALSE(log->offset_for_timestamp(6001).has_value());
}

TEST(PartitionLogTimestamps, TheMaxTimestampRecordIsTheFirstCarryingTheLargestTimestamp) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), LogConfig{});
  EXPECT_FALSE(log->max_timestamp_record().has_value()) << "an empty log has none";
  append(*log, batch_with_timestamps({5000, 9000, 1000}));  // offsets 0-2
  append(*log, batch_with_timestamps({2000, 9000}));        // offsets 3-4: a later tie
  append(*log, batch_with_timestamps({3000}));              // offset 5
  using Hit = std::pair<int64_t, int64_t>;
  EXPECT_EQ(log->max_timestamp_record(), (Hit{1, 9000})) << "inside a batch, first of equals";
  // Deleted records do not count, even inside a batch that straddles the start.
  log->delete_records_before(2);
  EXPECT_EQ(log->max_timestamp_record(), (Hit{4, 9000}));
  log->delete_records_before(5);
  EXPECT_EQ(log->max_timestamp_record(), (Hit{5, 3000}));
  log->delete_records_before(-1);
  EXPECT_FALSE(log->max_timestamp_record().has_value());
}

TEST(PartitionLogTimestamps, TheMaxTimestampRecordIsFoundAcrossSegments) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), small_segments());
  for (int i = 0; i < 60; ++i) {
    int64_t first = i == 17 ? 90'000 : 10'000 + 100 * i;  // batch 17 holds the maximum
    append(*log, batch_of(5, first));                     // batch i: offsets 5i..5i+4
  }
  ASSERT_GT(log->segment_count(), 2u);
  using Hit = std::pair<int64_t, int64_t>;
  EXPECT_EQ(log->max_timestamp_record(), (Hit{5 * 17 + 4, 90'004}));
  log->delete_records_before(5 * 18);
  EXPECT_EQ(log->max_timestamp_record(), (Hit{299, 10'000 + 100 * 59 + 4}));
}

TEST(PartitionLogTimestamps, LookupsSpanSegmentsAndSurviveAReopen) {
  TempDir dir;
  {
    auto log = PartitionLog::open(dir.path(), small_segments());
    for (int i = 0; i < 60; ++i)
      append(*log, batch_of(5, 10'000 + 100 * i));  // batch i: offsets 5i..5i+4
    ASSERT_GT(log->segment_count(), 2u);
  }
  auto log = PartitionLog::open(dir.path(), small_segments());
  using Hit = std::pair<int64_t, int64_t>;
  EXPECT_EQ(log->offset_for_timestamp(10'000 + 100 * 41 + 3),
            (Hit{5 * 41 + 3, 10'000 + 100 * 41 + 3}));
  EXPECT_EQ(log->offset_for_timestamp(10'000 + 100 * 41 + 50), (Hit{5 * 42, 10'000 + 100 * 42}));
  EXPECT_EQ(log->offset_for_timestamp(10'000 + 100 * 59 + 4), (Hit{299, 10'000 + 100 * 59 + 4}));
}

TEST(PartitionLogDeleteRecords, MinusOneMeansTheHighWatermarkAndTheStartNeverMovesBack) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), LogConfig{});
  for (int i = 0; i < 4; ++i) append(*log, batch_of(5));
  EXPECT_EQ(log->delete_records_before(7), 7);
  EXPECT_EQ(log->delete_records_before(3), 7) << "a lower offset leaves the start where it is";
  EXPECT_FALSE(log->delete_records_before(21).has_value()) << "beyond the end is refused";
  EXPECT_FALSE(log->delete_records_before(-2).has_value());
  EXPECT_EQ(log->delete_records_before(-1), 20);
  auto r = log->read(20, 1000);
  EXPECT_FALSE(r.out_of_range) << "the end stays readable (empty) for consumers to wait at";
  EXPECT_TRUE(r.data.empty());
  EXPECT_EQ(append(*log, batch_of(1)), 20) << "offsets continue after deleting everything";
}

TEST(PartitionLogRetention, TheOnlySegmentIsNeverDeletedHoweverOld) {
  TempDir dir;
  LogConfig c;
  c.retention_ms = 0;
  c.retention_bytes = 0;
  auto log = PartitionLog::open(dir.path(), c);
  append(*log, batch_of(5));
  EXPECT_EQ(log->enforce_retention(int64_t(1) << 50), 0u);
  EXPECT_EQ(log->log_start_offset(), 0);
  EXPECT_FALSE(log->read(0, 1000).data.empty());
}

TEST(PartitionLogRetention, UnlimitedRetentionKeepsEverySegment) {
  TempDir dir;
  LogConfig c = small_segments();
  c.retention_ms = -1;
  c.retention_bytes = -1;
  auto log = PartitionLog::open(dir.path(), c);
  for (int i = 0; i < 60; ++i) append(*log, batch_of(5, 0));
  size_t segments = log->segment_count();
  EXPECT_EQ(log->enforce_retention(int64_t(1) << 50), 0u);
  EXPECT_EQ(log->segment_count(), segments);
}

TEST(PartitionLogRetention, TheRaisedStartOffsetSurvivesARestart) {
  TempDir dir;
  LogConfig c = small_segments();
  c.retention_bytes = 4096;
  int64_t start = 0;
  {
    auto log = PartitionLog::open(dir.path(), c);
    for (int i = 0; i < 60; ++i) append(*log, batch_of(5));
    ASSERT_GT(log->enforce_retention(0), 0u);
    start = log->log_start_offset();
    ASSERT_GT(start, 0);
  }
  auto log = PartitionLog::open(dir.path(), c);
  EXPECT_EQ(log->log_start_offset(), start);
  EXPECT_EQ(log->log_end_offset(), 300);
  EXPECT_TRUE(log->read(start - 1, 1000).out_of_range);
}

TEST(PartitionLogConfig, ANewConfigTakesEffectWithoutReopening) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), small_segments());
  for (int i = 0; i < 60; ++i) append(*log, batch_of(5));
  EXPECT_EQ(log->enforce_retention(0), 0u) << "retention.bytes is unlimited by default";
  LogConfig tighter = small_segments();
  tighter.retention_bytes = 4096;
  log->set_config(tighter);
  EXPECT_EQ(log->config().retention_bytes, 4096);
  EXPECT_GT(log->enforce_retention(0), 0u);
  LogConfig bigger = tighter;
  bigger.segment_bytes = 1 << 20;
  log->set_config(bigger);
  size_t segments = log->segment_count();
  for (int i = 0; i < 60; ++i) append(*log, batch_of(5));
  EXPECT_EQ(log->segment_count(), segments) << "segment.bytes applies to the next roll";
}

}  // namespace
}  // namespace sluice::broker

namespace sluice::broker {
namespace {

TEST(PartitionLogTimestamps, LogAppendTimeStampsEachBatchWithTheBrokersClockAndAValidCrc) {
  TempDir dir("log-append-time");
  LogConfig config;
  config.timestamp_type = TimestampType::kLogAppendTime;
  auto log = PartitionLog::open(dir.path(), config);
  const int64_t before = now_ms();
  append(*log, batch_with_timestamps({5, 6}));
  auto read = log->read(0, 1 << 20);
  auto h = parse_batch_header(read.data);
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->is_log_append_time());
  EXPECT_GE(h->max_timestamp, before);
  EXPECT_LE(h->max_timestamp, now_ms());
  EXPECT_TRUE(validate_batch(read.data).ok) << validate_batch(read.data).reason;
}

TEST(PartitionLogTimestamps, AnActiveSegmentOlderThanSegmentMsRollsOnTheNextAppend) {
  TempDir dir("segment-ms");
  LogConfig config = small_segments();
  config.segment_bytes = 1 << 30;  // never full here
  config.segment_ms = 1;
  auto log = PartitionLog::open(dir.path(), config);
  append(*log, batch_of(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  append(*log, batch_of(1));
  EXPECT_EQ(log->segment_count(), 2u);
  config.segment_ms = LogConfig{}.segment_ms;
  log->set_config(config);
  append(*log, batch_of(1));
  EXPECT_EQ(log->segment_count(), 2u) << "a young segment keeps taking appends";
}

}  // namespace
}  // namespace sluice::broker
