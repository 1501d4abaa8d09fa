// Group commit in a real PartitionLog under flush policy `always`: written
// batches stay invisible until a sync covers them, one sync serves every batch
// written before it started, and a failed sync fails every waiter and shows
// none of what it was to cover. Counts syncs, never times them.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "broker/storage/partition_log.h"
#include "broker/storage/storage_error.h"
#include "broker/storage/sync_stats.h"
#include "temp_dir.h"

namespace sluice::broker {
namespace {

namespace fs = std::filesystem;
using TempDir = sluice::testing::TempDir;

Bytes batch_of(int records, const std::string& value = "value") {
  std::vector<RecordInput> in;
  for (int i = 0; i < records; ++i) in.push_back({1000 + i, std::nullopt, value, {}});
  return build_batch(0, in);
}

// Offsets of every record a reader can see, in order.
std::vector<int64_t> readable_offsets(const PartitionLog& log) {
  std::vector<int64_t> offsets;
  for (int64_t next = log.log_start_offset(); next < log.log_end_offset();) {
    auto read = log.read(next, 1 << 20);
    if (read.data.empty()) break;
    for_each_record(read.data, [&](const RecordView& r) {
      offsets.push_back(r.offset);
      next = r.offset + 1;
      return true;
    });
  }
  return offsets;
}

std::vector<int64_t> zero_to(int64_t end) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < end; ++i) out.push_back(i);
  return out;
}

TEST(GroupCommit, AWrittenBatchIsInvisibleUntilItsSyncThenVisibleWhole) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), LogConfig{});
  Bytes first = batch_of(3);
  auto written = log->write(first);
  EXPECT_EQ(written.base_offset, 0);
  EXPECT_EQ(written.end_offset, 3);
  EXPECT_EQ(log->written_end_offset(), 3);
  EXPECT_EQ(log->log_end_offset(), 0) << "the high watermark waits for the sync";
  auto read = log->read(0, 1 << 20);
  EXPECT_TRUE(read.data.empty()) << "no reader sees an unsynced batch";
  EXPECT_EQ(read.high_watermark, 0);
  EXPECT_EQ(log->syncs(), 0u);

  log->commit(written.end_offset);
  EXPECT_EQ(log->syncs(), 1u);
  EXPECT_EQ(log->log_end_offset(), 3);
  EXPECT_EQ(readable_offsets(*log), zero_to(3));
  log->commit(written.end_offset);
  EXPECT_EQ(log->syncs(), 1u) << "a committed batch needs no second sync";
}

TEST(GroupCommit, OneSyncServesEveryBatchWrittenBeforeItStarted) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), LogConfig{});
  std::vector<int64_t> ends;
  for (int i = 0; i < 4; ++i) {
    Bytes b = batch_of(2);
    ends.push_back(log->write(b).end_offset);
  }
  const uint64_t process_syncs_before = log_syncs();
  std::vector<std::thread> waiters;
  std::atomic<int> committed{0};
  for (int64_t end : ends) {
    waiters.emplace_back([&, end] {
      log->commit(end);
      committed.fetch_add(1);
    });
  }
  for (auto& t : waiters) t.join();
  EXPECT_EQ(committed.load(), 4);
  EXPECT_EQ(log->syncs(), 1u) << "four writers, one fdatasync";
  EXPECT_EQ(log_syncs() - process_syncs_before, 1u) << "the metric counts it once";
  EXPECT_EQ(readable_offsets(*log), zero_to(8));
}

TEST(GroupCommit, ConcurrentAppendersAreAllDurableInOneContiguousLog) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), LogConfig{});
  constexpr int kThreads = 8;
  constexpr int kAppends = 40;
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&] {
      for (int i = 0; i < kAppends; ++i) {
        Bytes b = batch_of(2);
        auto r = log->append(b);
        // append() returns only once its batch is visible, hence synced.
        ASSERT_GE(log->log_end_offset(), r.end_offset);
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(log->log_end_offset(), kThreads * kAppends * 2);
  EXPECT_EQ(readable_offsets(*log), zero_to(kThreads * kAppends * 2));
  EXPECT_GE(log->syncs(), 1u);
  EXPECT_LE(log->syncs(), uint64_t(kThreads * kAppends)) << "never more than one per append";
  // How much sharing happened depends on the scheduler: shown, not asserted.
  RecordProperty("syncs", std::to_string(log->syncs()));
}

TEST(GroupCommit, ARollPublishesTheSealedSegmentWhichItSynced) {
  TempDir dir;
  LogConfig cfg;
  cfg.segment_bytes = 1024;
  auto log = PartitionLog::open(dir.path(), cfg);
  int64_t end = 0;
  // Bounded, so a roll that never comes fails the test instead of filling the disk.
  for (int i = 0; i < 100 && log->segment_count() < 2; ++i) {
    Bytes b = batch_of(2, std::string(100, 'x'));
    end = log->write(b).end_offset;
  }
  ASSERT_EQ(log->segment_count(), 2u) << "1 KiB segments roll within 100 batches of 100 bytes";
  EXPECT_GT(log->log_end_offset(), 0) << "the sealed segment was synced at the roll";
  EXPECT_LT(log->log_end_offset(), end) << "the batch that started the new segment was not";
  log->commit(end);
  EXPECT_EQ(readable_offsets(*log), zero_to(end));
}

TEST(GroupCommit, TheIntervalPolicyShowsWritesAtOnceAndSyncsThemOnFlush) {
  TempDir dir;
  LogConfig cfg;
  cfg.flush.always = false;
  cfg.flush.interval_ms = 60'000;
  auto log = PartitionLog::open(dir.path(), cfg);
  Bytes b = batch_of(2);
  auto r = log->write(b);
  EXPECT_EQ(log->log_end_offset(), r.end_offset);
  log->commit(r.end_offset);
  EXPECT_EQ(log->syncs(), 0u) << "commit does not sync under an interval policy";
  log->flush_if_due();
  EXPECT_EQ(log->syncs(), 0u) << "the interval has not passed";
  log->flush();
  EXPECT_EQ(log->syncs(), 1u);
  log->flush();
  EXPECT_EQ(log->syncs(), 1u) << "nothing new to sync";
}

TEST(GroupCommit, ABatchWrittenUnderAlwaysWaitsForItsSyncAfterThePolicyChanges) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), LogConfig{});
  Bytes first = batch_of(2);
  int64_t first_end = log->write(first).end_offset;
  LogConfig interval;
  interval.flush.always = false;
  interval.flush.interval_ms = 60'000;
  log->set_config(interval);
  Bytes second = batch_of(2);
  int64_t second_end = log->write(second).end_offset;
  ASSERT_EQ(log->log_end_offset(), second_end) << "the interval write published both batches";
  EXPECT_EQ(log->syncs(), 0u);
  log->commit(first_end);
  EXPECT_EQ(log->syncs(), 1u)
      << "the batch written under `always` is acknowledged only once synced";
  log->commit(second_end);
  EXPECT_EQ(log->syncs(), 1u) << "that sync covered the interval batch too";
}

TEST(GroupCommit, AFailedSyncFailsEveryWaiterAndShowsNothingItWasToCover) {
  TempDir dir;
  // One descriptor for the whole log, so the segment can be swapped under it.
  FileHandleCache cache(1);
  auto log = PartitionLog::open(dir.path(), LogConfig{}, cache);
  Bytes committed = batch_of(2);
  log->append(committed);

  std::vector<int64_t> ends;
  for (int i = 0; i < 3; ++i) {
    Bytes b = batch_of(2);
    ends.push_back(log->write(b).end_offset);
  }
  // fdatasync on a FIFO fails with EINVAL: a stand-in for a disk that lost the
  // writes. The segment's descriptor is evicted (its eviction sync succeeds) and
  // the next lease reopens the path, which now names a FIFO.
  fs::path segment = dir.path() / "00000000000000000000.log";
  fs::rename(segment, dir.path() / "moved.log");
  ASSERT_EQ(::mkfifo(segment.c_str(), 0644), 0);
  CachedFile other(cache, dir.path() / "other", O_RDWR | O_CREAT);
  { auto evicts_the_segment = other.lease(); }

  std::atomic<int> storage_errors_seen{0};
  std::vector<std::thread> waiters;
  for (int64_t end : ends) {
    waiters.emplace_back([&, end] {
      try {
        log->commit(end);
      } catch (const StorageError&) {
        storage_errors_seen.fetch_add(1);
      }
    });
  }
  for (auto& t : waiters) t.join();
  EXPECT_EQ(storage_errors_seen.load(), 3) << "every waiter is told the sync failed";
  EXPECT_TRUE(log->offline().has_value());
  EXPECT_EQ(log->log_end_offset(), 2) << "nothing the failed sync covered becomes visible";
  // The real file back (its bytes are all there): still only the synced batch is read.
  fs::rename(dir.path() / "moved.log", segment);
  { auto evicts_the_fifo = other.lease(); }
  EXPECT_EQ(readable_offsets(*log), zero_to(2));
  Bytes after = batch_of(1);
  EXPECT_THROW(log->write(after), StorageError) << "the log stops writing until a restart";
  EXPECT_THROW(log->commit(ends.back()), StorageError) << "and a later commit fails too";
}

}  // namespace
}  // namespace sluice::broker
