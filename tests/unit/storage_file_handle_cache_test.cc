// FileHandleCache: the bound on open descriptors, leases that survive eviction
// pressure, durability across an eviction (including a failed sync at eviction),
// removal, and partition logs that keep working with a pool far smaller than
// their file count.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "broker/storage/file_handle_cache.h"
#include "broker/storage/partition_log.h"
#include "temp_dir.h"

namespace sluice::broker {
namespace {

namespace fs = std::filesystem;
using TempDir = sluice::testing::TempDir;

// Descriptors of this process that point into `dir`, counted from /proc/self/fd.
size_t descriptors_under(const fs::path& dir) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc/self/fd", ec)) {
    fs::path target = fs::read_symlink(entry.path(), ec);
    if (!ec && target.string().starts_with(dir.string())) ++n;
  }
  return n;
}

std::vector<std::unique_ptr<CachedFile>> files_in(FileHandleCache& cache, const fs::path& dir,
                                                  int count) {
  std::vector<std::unique_ptr<CachedFile>> files;
  for (int i = 0; i < count; ++i) {
    files.push_back(
        std::make_unique<CachedFile>(cache, dir / ("f" + std::to_string(i)), O_RDWR | O_CREAT));
  }
  return files;
}

void write_at(CachedFile& f, const std::string& text, off_t at) {
  auto lease = f.lease();
  ASSERT_TRUE(lease);
  lease.wrote();
  ASSERT_EQ(::pwrite(lease.fd(), text.data(), text.size(), at), ssize_t(text.size()));
}

std::string read_back(CachedFile& f, size_t size) {
  auto lease = f.lease();
  std::string out(size, '\0');
  EXPECT_EQ(::pread(lease.fd(), out.data(), size, 0), ssize_t(size));
  return out;
}

TEST(FileHandleCache, NeverKeepsMoreIdleDescriptorsOpenThanItsCapacity) {
  TempDir dir;
  FileHandleCache cache(3);
  auto files = files_in(cache, dir.path(), 10);
  for (int round = 0; round < 3; ++round) {
    for (auto& f : files) {
      write_at(*f, "x", round);
      EXPECT_LE(cache.open_count(), 3u);
      EXPECT_LE(descriptors_under(dir.path()), 3u);
    }
  }
  EXPECT_EQ(cache.opens(), 30u) << "a round over 10 files through 3 slots reopens every file";
  EXPECT_GE(cache.evictions(), 27u);
}

TEST(FileHandleCache, ARecentlyUsedFileStaysOpenWhileOthersComeAndGo) {
  TempDir dir;
  FileHandleCache cache(3);
  auto files = files_in(cache, dir.path(), 6);
  for (auto& f : files) {
    write_at(*files[0], "hot", 0);
    write_at(*f, "cold", 0);
  }
  EXPECT_EQ(cache.opens(), 6u) << "the hot file was opened once";
}

TEST(FileHandleCache, ALeasedDescriptorIsNeverClosedUnderItsHolder) {
  TempDir dir;
  FileHandleCache cache(1);
  auto files = files_in(cache, dir.path(), 4);
  auto held = files[0]->lease();
  for (size_t i = 1; i < files.size(); ++i) write_at(*files[i], "other", 0);
  EXPECT_NE(::fcntl(held.fd(), F_GETFD), -1) << "still open";
  EXPECT_EQ(::pwrite(held.fd(), "held", 4, 0), 4);
  EXPECT_LE(cache.open_count(), 2u) << "one over capacity at most: only one lease is held";
}

TEST(FileHandleCache, LeasesBeyondCapacityAreGrantedAndThePoolShrinksBackAfter) {
  TempDir dir;
  FileHandleCache cache(1);
  auto files = files_in(cache, dir.path(), 3);
  {
    auto a = files[0]->lease();
    auto b = files[1]->lease();
    EXPECT_TRUE(a && b);
    EXPECT_EQ(cache.open_count(), 2u);
  }
  write_at(*files[2], "z", 0);
  EXPECT_EQ(cache.open_count(), 1u);
}

TEST(FileHandleCache, BytesWrittenBeforeAnEvictionAreReadAfterTheReopen) {
  TempDir dir;
  FileHandleCache cache(1);
  auto files = files_in(cache, dir.path(), 2);
  write_at(*files[0], "before eviction", 0);
  write_at(*files[1], "evicts the first", 0);
  EXPECT_EQ(read_back(*files[0], 15), "before eviction");
  EXPECT_NO_THROW(files[0]->sync());
}

TEST(FileHandleCache, AFailedSyncAtEvictionIsThrownByTheNextSync) {
  TempDir dir;
  // fdatasync on a FIFO fails with EINVAL: a stand-in for a disk that lost a write.
  fs::path fifo = dir.path() / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  FileHandleCache cache(1);
  CachedFile unsyncable(cache, fifo, O_RDWR);
  CachedFile other(cache, dir.path() / "other", O_RDWR | O_CREAT);
  {
    auto lease = unsyncable.lease();
    lease.wrote();
  }
  write_at(other, "evicts the fifo", 0);
  EXPECT_GE(cache.evictions(), 1u);
  try {
    unsyncable.sync();
    FAIL() << "the failed sync at eviction must not be forgotten";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("when its handle was closed"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(unsyncable.sync(), std::runtime_error) << "and it stays failed";
}

TEST(FileHandleCache, AFileSyncedBeforeItsEvictionIsClosedWithoutAnotherSync) {
  TempDir dir;
  fs::path fifo = dir.path() / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  FileHandleCache cache(1);
  CachedFile never_written(cache, fifo, O_RDWR);
  CachedFile other(cache, dir.path() / "other", O_RDWR | O_CREAT);
  { auto lease = never_written.lease(); }
  write_at(other, "evicts the fifo", 0);
  EXPECT_THROW(never_written.sync(), std::runtime_error) << "its own fdatasync fails (a FIFO)";
  try {
    never_written.sync();
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).find("when its handle was closed"), std::string::npos)
        << "nothing was synced at eviction: " << e.what();
  }
}

TEST(FileHandleCache, ARemovedFileIsNeverOpenedOrCreatedAgain) {
  TempDir dir;
  FileHandleCache cache(4);
  auto files = files_in(cache, dir.path(), 1);
  write_at(*files[0], "gone soon", 0);
  files[0]->remove();
  EXPECT_FALSE(fs::exists(dir.path() / "f0"));
  EXPECT_FALSE(files[0]->lease());
  EXPECT_FALSE(fs::exists(dir.path() / "f0")) << "a lease must not re-create it";
  EXPECT_EQ(cache.open_count(), 0u);
  EXPECT_THROW(files[0]->sync(), std::runtime_error);
}

TEST(FileHandleCache, AFileRemovedWhileLeasedClosesWhenTheLeaseEnds) {
  TempDir dir;
  FileHandleCache cache(4);
  auto files = files_in(cache, dir.path(), 1);
  write_at(*files[0], "read me", 0);
  {
    auto lease = files[0]->lease();
    files[0]->remove();
    std::string got(7, '\0');
    EXPECT_EQ(::pread(lease.fd(), got.data(), 7, 0), 7) << "the holder finishes its read";
    EXPECT_EQ(got, "read me");
  }
  EXPECT_EQ(cache.open_count(), 0u);
  EXPECT_EQ(descriptors_under(dir.path()), 0u);
}

TEST(FileHandleCache, ManyThreadsSharingASmallPoolReadWhatTheyWrote) {
  TempDir dir;
  FileHandleCache cache(2);
  auto files = files_in(cache, dir.path(), 8);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        auto& f = *files[size_t((t * 2 + i) % 8)];
        std::string text = std::to_string(t) + ":" + std::to_string(i);
        off_t at = off_t(t * 64);
        {
          auto lease = f.lease();
          lease.wrote();
          if (::pwrite(lease.fd(), text.data(), text.size(), at) != ssize_t(text.size()))
            ++mismatches;
        }
        auto lease = f.lease();
        std::string got(text.size(), '\0');
        if (::pread(lease.fd(), got.data(), got.size(), at) != ssize_t(got.size()) || got != text)
          ++mismatches;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches, 0);
  EXPECT_LE(cache.open_count(), 2u);
  for (auto& f : files) EXPECT_NO_THROW(f->sync());
}

LogConfig small_segments(bool flush_always) {
  LogConfig c;
  c.segment_bytes = 1024;
  c.index_interval_bytes = 128;
  c.flush.always = flush_always;
  return c;
}

void append_at(PartitionLog& log, int64_t ts) {
  Bytes batch = build_batch(0, {{ts, std::nullopt, "value-" + std::to_string(ts), {}}});
  log.append(batch);
}

// Reads every batch from the start and returns the timestamps of their records.
std::vector<int64_t> timestamps_in(const PartitionLog& log) {
  std::vector<int64_t> out;
  int64_t offset = log.log_start_offset();
  while (offset < log.log_end_offset()) {
    auto r = log.read(offset, 1 << 20);
    if (r.data.empty()) break;
    for_each_record(r.data, [&](const RecordView& rec) {
      if (rec.offset >= offset) out.push_back(rec.timestamp);
      offset = rec.offset + 1;
      return true;
    });
  }
  return out;
}

TEST(FileHandleCachePartitions, LogsWithManyMoreFilesThanThePoolAppendRollSyncAndRecover) {
  TempDir dir;
  FileHandleCache cache(2);
  for (bool flush_always : {true, false}) {
    fs::path root = dir.path() / (flush_always ? "always" : "interval");
    std::vector<std::unique_ptr<PartitionLog>> logs;
    for (int p = 0; p < 5; ++p)
      logs.push_back(
          PartitionLog::open(root / std::to_string(p), small_segments(flush_always), cache));
    for (int64_t ts = 1000; ts < 1060; ++ts) {
      for (auto& log : logs) append_at(*log, ts);
      EXPECT_LE(cache.open_count(), 3u) << "one lease (log) plus an index lease at most";
    }
    for (auto& log : logs) {
      EXPECT_GT(log->segment_count(), 2u) << "several rolls happened";
      EXPECT_NO_THROW(log->flush());
    }
    logs.clear();
    EXPECT_EQ(descriptors_under(root), 0u) << "closing the logs leaks nothing";
    for (int p = 0; p < 5; ++p) {
      auto log = PartitionLog::open(root / std::to_string(p), small_segments(flush_always), cache);
      auto got = timestamps_in(*log);
      ASSERT_EQ(got.size(), 60u);
      EXPECT_EQ(got.front(), 1000);
      EXPECT_EQ(got.back(), 1059);
      EXPECT_EQ(log->offset_for_timestamp(1030)->first, 30) << "time index works after eviction";
    }
  }
}

TEST(FileHandleCachePartitions, RetentionAndDeleteRecordsLeaveNoDescriptorBehind) {
  TempDir dir;
  FileHandleCache cache(64);
  LogConfig c = small_segments(false);
  auto log = PartitionLog::open(dir.path(), c, cache);
  for (int64_t ts = 1000; ts < 1100; ++ts) append_at(*log, ts);
  for (int64_t o = 0; o < log->log_end_offset(); ++o) log->read(o, 100);  // opens every segment
  size_t segments = log->segment_count();
  EXPECT_EQ(descriptors_under(dir.path()), cache.open_count());
  log->delete_records_before(50);
  c.retention_bytes = 0;
  log->set_config(c);
  log->enforce_retention(0);
  EXPECT_LT(log->segment_count(), segments);
  EXPECT_LE(cache.open_count(), 3u) << "only the active segment's log and indexes may stay open";
  EXPECT_EQ(descriptors_under(dir.path()), cache.open_count());
  log.reset();
  EXPECT_EQ(cache.open_count(), 0u);
  EXPECT_EQ(descriptors_under(dir.path()), 0u);
}

TEST(FileHandleCachePartitions, ConcurrentReadersAndAWriterShareATinyPool) {
  TempDir dir;
  FileHandleCache cache(2);
  std::vector<std::unique_ptr<PartitionLog>> logs;
  for (int p = 0; p < 3; ++p)
    logs.push_back(PartitionLog::open(dir.path() / std::to_string(p), small_segments(true), cache));
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int64_t ts = 1000; ts < 1200; ++ts) append_at(*logs[size_t(ts % 3)], ts);
    done = true;
  });
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&, r] {
      while (!done) {
        // Partition r holds the timestamps t with t % 3 == r, in order, without gaps.
        auto got = timestamps_in(*logs[size_t(r)]);
        for (size_t i = 0; i < got.size(); ++i)
          if (got[i] % 3 != r || (i > 0 && got[i] != got[i - 1] + 3)) ++bad;
      }
    });
  }
  writer.join();
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad, 0);
  for (int r = 0; r < 3; ++r) {
    auto got = timestamps_in(*logs[size_t(r)]);
    int64_t expected = 0;
    for (int64_t ts = 1000; ts < 1200; ++ts) expected += ts % 3 == r;
    EXPECT_EQ(int64_t(got.size()), expected);
    for (int64_t ts : got) EXPECT_EQ(ts % 3, r);
  }
}

TEST(FileHandleCachePartitions, ARetiredLogNeverReopensItsPathsWhichANewTopicNowOwns) {
  TempDir dir;
  FileHandleCache cache(1);
  fs::path path = dir.path() / "t" / "0";
  auto old_log = PartitionLog::open(path, small_segments(true), cache);
  for (int64_t ts = 1000; ts < 1040; ++ts) append_at(*old_log, ts);
  // What TopicStore::delete_topic does: rename the directory away, retire the logs.
  fs::rename(dir.path() / "t", dir.path() / "~deleted-1");
  old_log->retire("topic 't' was deleted");
  auto new_log = PartitionLog::open(path, small_segments(true), cache);  // evicts the old handles
  append_at(*new_log, 5000);
  for (int64_t offset = 0; offset < 40; ++offset)
    EXPECT_TRUE(old_log->read(offset, 1 << 20).data.empty()) << "evicted files stay closed";
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(path)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names,
            (std::vector<std::string>{"00000000000000000000.index", "00000000000000000000.log",
                                      "00000000000000000000.timeindex"}))
      << "the old log created no file in the new topic's directory";
  old_log.reset();
  new_log.reset();
  auto reopened = PartitionLog::open(path, small_segments(true), cache);
  EXPECT_EQ(reopened->log_end_offset(), 1);
  EXPECT_EQ(timestamps_in(*reopened), (std::vector<int64_t>{5000}));
}

}  // namespace
}  // namespace sluice::broker
