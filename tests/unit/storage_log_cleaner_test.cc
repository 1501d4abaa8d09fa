// Log compaction on a real PartitionLog: what a pass keeps (the latest record
// per key, at its original offset), when it runs (dirty ratio, compaction lags),
// how long tombstones stay, what it never touches (the active segment, control
// batches, a producer's last batch header), and how a swap interrupted at each
// step is completed or undone when the log opens again. Every expectation is
// checked against a model computed from what was written.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/storage/batch_filter.h"
#include "broker/storage/control_batch.h"
#include "broker/storage/log_cleaner.h"
#include "broker/storage/partition_log.h"
#include "broker/storage/segment_swap.h"
#include "temp_dir.h"

namespace sluice::broker {
namespace {

namespace fs = std::filesystem;
using TempDir = sluice::testing::TempDir;

constexpr int64_t kRecordTime = 1'000'000;     // every record's CreateTime
constexpr int64_t kLater = 1'000'000'000'000;  // "now" for the passes: long after

struct Written {
  int64_t offset;
  std::optional<std::string> key;
  std::optional<std::string> value;
};

struct Read {
  int64_t offset;
  std::optional<std::string> key;
  std::optional<std::string> value;
  bool operator==(const Read&) const = default;
};

LogConfig compacted(int64_t segment_bytes = 400) {
  LogConfig cfg;
  cfg.cleanup_policy = "compact";
  cfg.segment_bytes = segment_bytes;
  cfg.min_cleanable_dirty_ratio = 0.01;
  cfg.delete_retention_ms = LogConfig::kNoLimit;
  return cfg;
}

// Appends one single-record batch; returns its offset.
int64_t put(PartitionLog& log, std::optional<std::string> key, std::optional<std::string> value,
            std::vector<Written>* written = nullptr) {
  Bytes b = build_batch(0, {{kRecordTime, key, value, {}}});
  int64_t offset = log.append(b).base_offset;
  if (written) written->push_back({offset, key, value});
  return offset;
}

// Every record a reader sees, batch by batch (an empty batch moves the reader on).
std::vector<Read> read_all(const PartitionLog& log) {
  std::vector<Read> out;
  for (int64_t next = log.log_start_offset(); next < log.log_end_offset();) {
    auto read = log.read(next, 1 << 20);
    if (read.data.empty()) break;
    ByteSpan rest = read.data;
    while (rest.size() >= kBatchHeaderSize) {
      auto h = *parse_batch_header(rest);
      ByteSpan batch = rest.first(h.total_size());
      for_each_record(batch, [&](const RecordView& r) {
        if (r.offset >= next) {
          out.push_back({r.offset, r.key ? std::optional<std::string>(*r.key) : std::nullopt,
                         r.value ? std::optional<std::string>(*r.value) : std::nullopt});
        }
        return true;
      });
      next = std::max(next, h.last_offset() + 1);
      rest = rest.subspan(h.total_size());
    }
  }
  return out;
}

// What compaction up to `cleaned_end` must leave: below it the last record of
// each key (tombstones too, unless `drop_tombstones`), at or above it everything.
std::vector<Read> model(const std::vector<Written>& written, int64_t cleaned_end,
                        bool drop_tombstones = false) {
  std::map<std::string, int64_t> last;
  for (const auto& w : written)
    if (w.offset < cleaned_end && w.key) last[*w.key] = w.offset;
  std::vector<Read> out;
  for (const auto& w : written) {
    bool below = w.offset < cleaned_end;
    if (below && (!w.key || last[*w.key] != w.offset)) continue;
    if (below && !w.value && drop_tombstones) continue;
    out.push_back({w.offset, w.key, w.value});
  }
  return out;
}

// Five keys, written round after round, enough to fill several segments.
std::vector<Written> write_rounds(PartitionLog& log, int rounds) {
  std::vector<Written> written;
  for (int round = 0; round < rounds; ++round)
    for (int k = 0; k < 5; ++k)
      put(log, "key-" + std::to_string(k), "round-" + std::to_string(round), &written);
  return written;
}

TEST(LogCleaner, KeepsTheLatestRecordOfEachKeyAtItsOriginalOffset) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), compacted());
  auto written = write_rounds(*log, 20);
  ASSERT_GT(log->segment_count(), 4u);

  CleanStats stats = clean_log(*log, kLater);
  ASSERT_TRUE(stats.cleaned);
  EXPECT_EQ(stats.cleaned_end, log->segments().back()->base_offset())
      << "everything but the active segment is cleanable";
  EXPECT_EQ(read_all(*log), model(written, stats.cleaned_end));
  EXPECT_LT(stats.bytes_written, stats.bytes_read);
  EXPECT_EQ(log->log_end_offset(), 100) << "the end offset never moves";
}

TEST(LogCleaner, ASecondPassCleansWhatWasWrittenSince) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), compacted());
  auto written = write_rounds(*log, 10);
  ASSERT_TRUE(clean_log(*log, kLater).cleaned);
  for (int k = 0; k < 3; ++k) put(*log, "key-" + std::to_string(k), "late", &written);
  auto more = write_rounds(*log, 10);
  written.insert(written.end(), more.begin(), more.end());

  CleanStats stats = clean_log(*log, kLater);
  ASSERT_TRUE(stats.cleaned);
  EXPECT_EQ(read_all(*log), model(written, stats.cleaned_end));
  EXPECT_EQ(log->cleaned_end(), stats.cleaned_end) << "the checkpoint is kept";
}

size_t segments_below(const PartitionLog& log, int64_t offset) {
  size_t n = 0;
  for (const auto& seg : log.segments()) n += seg->base_offset() < offset ? 1 : 0;
  return n;
}

TEST(LogCleaner, TheNextPassMergesSmallCleanedSegments) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), compacted());
  auto written = write_rounds(*log, 20);
  CleanStats first = clean_log(*log, kLater);
  ASSERT_TRUE(first.cleaned);
  // Groups are formed by the old segments' sizes (as Kafka's cleaner does), so the
  // first pass leaves one small segment per full one it read.
  const size_t after_first = segments_below(*log, first.cleaned_end);
  auto more = write_rounds(*log, 5);
  written.insert(written.end(), more.begin(), more.end());
  CleanStats second = clean_log(*log, kLater);
  ASSERT_TRUE(second.cleaned);
  EXPECT_LT(segments_below(*log, first.cleaned_end), after_first);
  EXPECT_EQ(read_all(*log), model(written, second.cleaned_end));
}

TEST(LogCleaner, TheCleanedLogReadsTheSameAfterReopening) {
  TempDir dir;
  std::vector<Read> after_clean;
  {
    auto log = PartitionLog::open(dir.path(), compacted());
    write_rounds(*log, 20);
    ASSERT_TRUE(clean_log(*log, kLater).cleaned);
    after_clean = read_all(*log);
  }
  fs::remove(dir.path() / "00000000000000000000.index");  // rebuilt from a log with gaps
  auto reopened = PartitionLog::open(dir.path(), compacted());
  EXPECT_EQ(read_all(*reopened), after_clean);
  EXPECT_EQ(reopened->log_end_offset(), 100);
  EXPECT_EQ(put(*reopened, "key-0", "after"), 100) << "offsets continue after the end";
}

TEST(LogCleaner, ATombstoneDeletesTheKeyAndIsDroppedOnceOld) {
  TempDir dir;
  LogConfig cfg = compacted();
  cfg.delete_retention_ms = 3'600'000;
  auto log = PartitionLog::open(dir.path(), cfg);
  std::vector<Written> written;
  for (int i = 0; i < 10; ++i) put(*log, "doomed", "v" + std::to_string(i), &written);
  put(*log, "doomed", std::nullopt, &written);
  for (int i = 0; i < 30; ++i) put(*log, "k" + std::to_string(i % 3), "w", &written);
  const int64_t now = now_ms();

  CleanStats first = clean_log(*log, now);
  ASSERT_TRUE(first.cleaned);
  EXPECT_EQ(first.tombstones_dropped, 0) << "written less than delete.retention.ms ago";
  EXPECT_EQ(read_all(*log), model(written, first.cleaned_end))
      << "the tombstone is the only record of its key left";

  // Two hours on, with new data to make a pass due.
  for (int i = 0; i < 20; ++i) put(*log, "k0", "again", &written);
  CleanStats later = clean_log(*log, now + 2 * 3'600'000);
  ASSERT_TRUE(later.cleaned);
  EXPECT_EQ(later.tombstones_dropped, 1);
  EXPECT_EQ(read_all(*log), model(written, later.cleaned_end, /*drop_tombstones=*/true));
}

TEST(LogCleaner, RunsOnlyOnceTheDirtyRatioIsReached) {
  TempDir dir;
  LogConfig cfg = compacted();
  cfg.min_cleanable_dirty_ratio = 0.5;
  auto log = PartitionLog::open(dir.path(), cfg);
  // 300 distinct keys: a clean part that compaction cannot shrink.
  for (int i = 0; i < 300; ++i) put(*log, "unique-" + std::to_string(i), std::string(100, 'u'));
  ASSERT_TRUE(clean_log(*log, kLater).cleaned);
  // A few sealed segments of new data beside it: below the ratio.
  for (int i = 0; i < 12; ++i) put(*log, "key-" + std::to_string(i % 2), std::string(150, 'y'));
  EXPECT_FALSE(clean_log(*log, kLater).cleaned);
  // As much new data again as is clean: above it.
  for (int i = 0; i < 400; ++i) put(*log, "more-" + std::to_string(i), std::string(100, 'm'));
  EXPECT_TRUE(clean_log(*log, kLater).cleaned);
}

TEST(LogCleaner, MaxCompactionLagForcesAPassBelowTheRatio) {
  TempDir dir;
  LogConfig cfg = compacted();
  cfg.min_cleanable_dirty_ratio = 0.99;
  auto log = PartitionLog::open(dir.path(), cfg);
  write_rounds(*log, 20);
  ASSERT_TRUE(clean_log(*log, kLater).cleaned);
  write_rounds(*log, 3);
  EXPECT_FALSE(clean_log(*log, kLater).cleaned);
  cfg.max_compaction_lag_ms = 60'000;  // the records' CreateTime is long past
  log->set_config(cfg);
  EXPECT_TRUE(clean_log(*log, kLater).cleaned);
}

TEST(LogCleaner, MinCompactionLagLeavesRecentSegmentsAlone) {
  TempDir dir;
  LogConfig cfg = compacted();
  cfg.min_compaction_lag_ms = 60'000;
  auto log = PartitionLog::open(dir.path(), cfg);
  auto written = write_rounds(*log, 20);
  // kRecordTime + 30 s: every segment is younger than the lag.
  EXPECT_FALSE(clean_log(*log, kRecordTime + 30'000).cleaned);
  EXPECT_EQ(read_all(*log).size(), written.size());
  EXPECT_TRUE(clean_log(*log, kRecordTime + 120'000).cleaned);
}

TEST(LogCleaner, DoesNothingToATopicThatDoesNotCompact) {
  TempDir dir;
  LogConfig cfg = compacted();
  cfg.cleanup_policy = "delete";
  auto log = PartitionLog::open(dir.path(), cfg);
  auto written = write_rounds(*log, 20);
  EXPECT_FALSE(clean_log(*log, kLater).cleaned);
  EXPECT_EQ(read_all(*log).size(), written.size());
}

TEST(LogCleaner, RetentionSparesACompactOnlyTopicButNotCompactAndDelete) {
  TempDir dir;
  LogConfig cfg = compacted();
  cfg.retention_ms = 1000;  // every record is older
  auto log = PartitionLog::open(dir.path(), cfg);
  write_rounds(*log, 20);
  EXPECT_EQ(log->enforce_retention(kLater), 0u) << "compact alone: no time retention";
  cfg.cleanup_policy = "compact,delete";
  log->set_config(cfg);
  EXPECT_GT(log->enforce_retention(kLater), 0u);
}

TEST(LogCleaner, KeylessRecordsGo) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), compacted());
  std::vector<Written> written;
  for (int i = 0; i < 40; ++i) put(*log, std::nullopt, "no key " + std::to_string(i), &written);
  for (int i = 0; i < 40; ++i) put(*log, "k", "v" + std::to_string(i), &written);
  CleanStats stats = clean_log(*log, kLater);
  ASSERT_TRUE(stats.cleaned);
  EXPECT_GT(stats.keyless_dropped, 0);
  EXPECT_EQ(read_all(*log), model(written, stats.cleaned_end));
}

// A batch of `records` keyed records from producer `pid`, sequence `seq`.
Bytes producer_batch(int64_t pid, int32_t seq, const std::string& key, int records) {
  std::vector<RecordInput> in;
  for (int i = 0; i < records; ++i) in.push_back({kRecordTime, key, "p" + std::to_string(i), {}});
  Bytes b = build_batch(0, in);
  store_be64(b.data() + 43, uint64_t(pid));
  store_be16(b.data() + 51, 0);
  store_be32(b.data() + 53, uint32_t(seq));
  seal_batch(b);
  return b;
}

TEST(LogCleaner, KeepsTheHeaderOfAProducersLastBatchAsAnEmptyBatch) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), compacted());
  Bytes first = producer_batch(7, 0, "shared", 3);
  log->append(first);
  Bytes last = producer_batch(7, 3, "shared", 2);
  const int64_t last_base = log->append(last).base_offset;
  write_rounds(*log, 20);
  for (int i = 0; i < 5; ++i) put(*log, "shared", "newer");
  ASSERT_TRUE(clean_log(*log, kLater).cleaned);

  std::vector<BatchHeader> producer_batches;
  for (const auto& seg : log->segments()) {
    seg->for_each_batch(
        [&](const BatchHeader& h, ByteSpan) {
          if (h.producer_id == 7) producer_batches.push_back(h);
          return true;
        },
        Segment::Read::kHeaders);
  }
  ASSERT_EQ(producer_batches.size(), 1u) << "the first batch went; the last one's header stays";
  EXPECT_EQ(producer_batches[0].base_offset, last_base);
  EXPECT_EQ(producer_batches[0].last_offset(), last_base + 1);
  EXPECT_EQ(producer_batches[0].base_sequence, 3);
  EXPECT_EQ(producer_batches[0].record_count, 0);
}

TEST(LogCleaner, StopsShortOfAnOpenTransaction) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), compacted());
  std::vector<Written> written;
  for (int i = 0; i < 10; ++i) put(*log, "shared", "committed-" + std::to_string(i), &written);
  // A transaction (attributes bit 4) that has no marker yet overwrites the key.
  Bytes open_txn = producer_batch(9, 0, "shared", 1);
  store_be16(open_txn.data() + kAttributesOffset, 0x10);
  seal_batch(open_txn);
  const int64_t txn_offset = log->append(open_txn).base_offset;
  auto more = write_rounds(*log, 20);
  CleanStats stats = clean_log(*log, kLater);
  ASSERT_TRUE(stats.cleaned);
  EXPECT_LE(stats.cleaned_end, txn_offset) << "nothing at or past the open transaction is cleaned";
  // The last committed value of the key stays: the transaction may still abort.
  int64_t last_committed = written.back().offset;
  bool kept = false;
  for (const auto& r : read_all(*log)) kept = kept || r.offset == last_committed;
  EXPECT_TRUE(kept);
}

// A transactional batch of `records` records of `key` from producer `pid`.
Bytes transactional_batch(int64_t pid, int32_t seq, const std::string& key, int records) {
  Bytes b = producer_batch(pid, seq, key, records);
  store_be16(b.data() + kAttributesOffset, 0x10);
  seal_batch(b);
  return b;
}

// A transaction that aborted wrote nothing a read_committed reader (a Kafka
// Streams application restoring its store from a changelog) may see: its records
// must not supersede the committed ones before them, and go themselves. A
// committed transaction's records supersede as any others do.
TEST(LogCleaner, AnAbortedTransactionSupersedesNothingAndGoes) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), compacted());
  const int64_t committed = put(*log, "aborted-over", "committed");
  const int64_t superseded = put(*log, "committed-over", "old");
  Bytes aborted_batch = transactional_batch(9, 0, "aborted-over", 2);
  const int64_t aborted = log->append(aborted_batch).base_offset;
  Bytes newer_batch = transactional_batch(9, 2, "committed-over", 1);
  const int64_t newer = log->append(newer_batch).base_offset;
  Bytes abort = build_marker_batch(9, 0, MarkerType::kAbort, 0, kRecordTime);
  log->append(abort);
  Bytes kept_batch = transactional_batch(11, 0, "committed-over", 1);
  const int64_t kept_txn = log->append(kept_batch).base_offset;
  Bytes commit = build_marker_batch(11, 0, MarkerType::kCommit, 0, kRecordTime);
  log->append(commit);
  write_rounds(*log, 20);
  CleanStats stats = clean_log(*log, kLater);
  ASSERT_TRUE(stats.cleaned);
  ASSERT_GT(stats.cleaned_end, kept_txn + 1);

  std::set<int64_t> offsets;
  for (const auto& r : read_all(*log)) offsets.insert(r.offset);
  EXPECT_TRUE(offsets.contains(committed)) << "the last committed value of the key stays";
  EXPECT_FALSE(offsets.contains(aborted)) << "the aborted records go";
  EXPECT_FALSE(offsets.contains(aborted + 1));
  EXPECT_FALSE(offsets.contains(newer));
  EXPECT_FALSE(offsets.contains(superseded)) << "a committed transaction supersedes";
  EXPECT_TRUE(offsets.contains(kept_txn));
  EXPECT_EQ(stats.aborted_dropped, 3);
}

TEST(LogCleaner, FilteringACompressedBatchKeepsItsCodecOffsetsAndChecksum) {
  for (Codec codec : {Codec::kGzip, Codec::kSnappy, Codec::kLz4, Codec::kZstd}) {
    std::vector<RecordInput> in;
    for (int i = 0; i < 6; ++i)
      in.push_back({kRecordTime + i, "k" + std::to_string(i % 2), "v" + std::to_string(i), {}});
    Bytes batch = build_batch(500, in, codec);
    auto f = filter_batch(
        batch, [](const RecordView& r) { return r.offset >= 504; }, false);
    ASSERT_EQ(f.outcome, FilteredBatch::Outcome::kRebuilt);
    EXPECT_TRUE(validate_batch(f.batch).ok) << validate_batch(f.batch).reason;
    auto h = *parse_batch_header(f.batch);
    EXPECT_EQ(h.codec(), codec);
    EXPECT_EQ(h.base_offset, 500);
    EXPECT_EQ(h.last_offset(), 505);
    EXPECT_EQ(h.record_count, 2);
    EXPECT_EQ(h.max_timestamp, kRecordTime + 5);
    std::vector<int64_t> offsets;
    for_each_record(f.batch, [&](const RecordView& r) {
      offsets.push_back(r.offset);
      return true;
    });
    EXPECT_EQ(offsets, (std::vector<int64_t>{504, 505}));
  }
}

// Copies a partition folder (files only), as the state a crash would leave.
void copy_log(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  for (const auto& e : fs::directory_iterator(from))
    if (e.is_regular_file()) fs::copy_file(e.path(), to / e.path().filename());
}

// The crash states of one swap, built from a log before and after its clean.
class InterruptedSwap : public ::testing::Test {
 protected:
  void SetUp() override {
    LogConfig cfg = compacted(100'000);  // one sealed segment: one group
    {
      auto log = PartitionLog::open(before_.path(), cfg);
      write_rounds(*log, 20);
      // Roll by hand: a second, active segment.
      LogConfig roll = cfg;
      roll.segment_bytes = 1;
      log->set_config(roll);
      put(*log, "key-0", "active");
      log->set_config(cfg);
      expected_before_ = read_all(*log);
    }
    copy_log(before_.path(), after_.path());
    auto log = PartitionLog::open(after_.path(), cfg);
    auto stats = clean_log(*log, kLater);
    ASSERT_TRUE(stats.cleaned);
    end_ = stats.cleaned_end;
    expected_after_ = read_all(*log);
    ASSERT_LT(expected_after_.size(), expected_before_.size());
  }
  // The swap folder as committed: the cleaned copy of [0, end_).
  fs::path make_swap() {
    auto swap = before_.path() / (".swap-" + segment_name(0) + "-" + segment_name(end_));
    fs::create_directories(swap);
    for (const char* ext : {".log", ".index", ".timeindex"})
      fs::copy_file(after_.path() / (segment_name(0) + ext), swap / (segment_name(0) + ext));
    return swap;
  }
  std::vector<Read> reopen() { return read_all(*PartitionLog::open(before_.path(), compacted())); }

  TempDir before_{"sluice-test-before"};
  TempDir after_{"sluice-test-after"};
  int64_t end_ = 0;
  std::vector<Read> expected_before_, expected_after_;
};

TEST_F(InterruptedSwap, BeforeTheCommitTheOldSegmentsStay) {
  auto cleaning = cleaning_dir(before_.path(), 0);
  fs::create_directories(cleaning);
  fs::copy_file(after_.path() / (segment_name(0) + ".log"), cleaning / (segment_name(0) + ".log"));
  EXPECT_EQ(reopen(), expected_before_);
  EXPECT_FALSE(fs::exists(cleaning));
}

TEST_F(InterruptedSwap, RightAfterTheCommitTheCopyReplacesThem) {
  make_swap();
  EXPECT_EQ(reopen(), expected_after_);
}

TEST_F(InterruptedSwap, AfterTheOldFilesWentTheCopyIsInstalled) {
  make_swap();
  for (const char* ext : {".log", ".index", ".timeindex"})
    fs::remove(before_.path() / (segment_name(0) + ext));
  EXPECT_EQ(reopen(), expected_after_);
}

TEST_F(InterruptedSwap, HalfwayThroughTheInstallItFinishes) {
  auto swap = make_swap();
  for (const char* ext : {".log", ".index", ".timeindex"})
    fs::remove(before_.path() / (segment_name(0) + ext));
  fs::rename(swap / (segment_name(0) + ".index"), before_.path() / (segment_name(0) + ".index"));
  EXPECT_EQ(reopen(), expected_after_);
  EXPECT_FALSE(fs::exists(swap));
}

TEST(LogCleaner, AReaderOfAReplacedSegmentIsServedFromItsCopy) {
  TempDir dir;
  // One descriptor for the whole log, so the old segment's file closes under the reader.
  FileHandleCache cache(1);
  auto log = PartitionLog::open(dir.path(), compacted(), cache);
  auto written = write_rounds(*log, 20);
  auto old_segments = log->segments();
  CleanStats stats = clean_log(*log, kLater);
  ASSERT_TRUE(stats.cleaned);
  for (const auto& seg : old_segments) {
    if (seg->base_offset() < stats.cleaned_end) {
      EXPECT_TRUE(seg->removed());
    }
  }
  EXPECT_EQ(read_all(*log), model(written, stats.cleaned_end));
}

}  // namespace
}  // namespace sluice::broker
