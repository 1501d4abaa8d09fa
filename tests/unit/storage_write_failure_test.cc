// A write the disk refuses (here: RLIMIT_FSIZE, which fails writes past a size
// with EFBIG after a short write, as a full disk fails them with ENOSPC) throws
// StorageError, leaves no partial batch or journal line behind, and the next
// write after space returns simply succeeds — no restart, no offline partition.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <filesystem>

#include "broker/groups/offset_store.h"
#include "broker/storage/partition_log.h"
#include "broker/storage/storage_error.h"
#include "temp_dir.h"

namespace sluice::broker {
namespace {

namespace fs = std::filesystem;
using TempDir = sluice::testing::TempDir;

// Files of this process cannot grow past `bytes` while it lives.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(uint64_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    EXPECT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit saved_{};
  void (*old_handler_)(int) = nullptr;
};

Bytes batch_of(int records, const std::string& value = "value") {
  std::vector<RecordInput> in;
  for (int i = 0; i < records; ++i) in.push_back({1000 + i, std::nullopt, value, {}});
  return build_batch(0, in);
}

int64_t records_readable(const PartitionLog& log) {
  int64_t count = 0;
  for (int64_t offset = log.log_start_offset(); offset < log.log_end_offset();) {
    auto read = log.read(offset, 1 << 20);
    if (read.data.empty()) break;
    for_each_record(read.data, [&](const RecordView& r) {
      ++count;
      offset = r.offset + 1;
      return true;
    });
  }
  return count;
}

TEST(StorageWriteFailure, ARefusedAppendLeavesTheLogAsItWasAndTheNextOneSucceeds) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), LogConfig{});
  for (int i = 0; i < 3; ++i) {
    Bytes b = batch_of(2);
    log->append(b);
  }
  fs::path segment = dir.path() / "00000000000000000000.log";
  uint64_t good_size = fs::file_size(segment);
  uint64_t errors_before = storage_errors(StorageWrite::kPartitionAppend);
  {
    FileSizeLimit limit(good_size + 20);  // room for part of the next batch only
    Bytes big = batch_of(4, std::string(100, 'x'));
    EXPECT_THROW(log->append(big), StorageError);
    EXPECT_THROW(log->append(big), StorageError) << "still full: refused again";
    EXPECT_EQ(fs::file_size(segment), good_size) << "the partial batch was cut off";
    EXPECT_EQ(log->log_end_offset(), 6);
    EXPECT_FALSE(log->offline()) << "a full disk does not take the partition offline";
    EXPECT_EQ(records_readable(*log), 6) << "the partition stays readable";
  }
  EXPECT_EQ(storage_errors(StorageWrite::kPartitionAppend), errors_before + 2);
  Bytes after = batch_of(4, std::string(100, 'x'));
  EXPECT_EQ(log->append(after).base_offset, 6) << "space returned: appends resume by themselves";
  EXPECT_EQ(records_readable(*log), 10);

  log.reset();
  auto reopened = PartitionLog::open(dir.path(), LogConfig{});
  EXPECT_EQ(reopened->log_end_offset(), 10);
  EXPECT_EQ(records_readable(*reopened), 10) << "no torn batch survived on disk";
}

TEST(StorageWriteFailure, ARefusedOffsetCommitChangesNeitherJournalNorMemory) {
  TempDir dir;
  OffsetKey key{"g", "t", 0};
  fs::path journal = dir.path() / "consumer_offsets.journal";
  uint64_t errors_before = storage_errors(StorageWrite::kOffsetCommit);
  {
    OffsetStore store(dir.path(), true);
    store.commit({{key, {5, -1, "", 1}}});
    uint64_t good_size = fs::file_size(journal);
    {
      FileSizeLimit limit(good_size + 10);  // part of the next line only
      std::string long_metadata(200, 'm');
      EXPECT_THROW(store.commit({{key, {9, -1, long_metadata, 2}}}), StorageError);
      EXPECT_EQ(fs::file_size(journal), good_size) << "the partial line was cut off";
      EXPECT_EQ(store.fetch(key)->offset, 5) << "a refused commit is not visible";
    }
    store.commit({{key, {7, -1, "", 3}}});
    EXPECT_EQ(store.fetch(key)->offset, 7);
  }
  EXPECT_EQ(storage_errors(StorageWrite::kOffsetCommit), errors_before + 1);
  OffsetStore replayed(dir.path(), true);
  EXPECT_EQ(replayed.fetch(key)->offset, 7) << "the commit after the failure survived replay";
}

TEST(StorageWriteFailure, RetentionFreesSpaceEvenWhenTheStartOffsetFileCannotBeWritten) {
  TempDir dir;
  LogConfig config;
  config.segment_bytes = 1024;
  config.retention_bytes = 2048;
  int64_t end = 0;
  {
    auto log = PartitionLog::open(dir.path(), config);
    for (int i = 0; i < 20; ++i) {
      Bytes b = batch_of(1, std::string(300, 'x'));
      log->append(b);
    }
    size_t segments = log->segment_count();
    {
      FileSizeLimit limit(1);  // no file can take even "42\n"
      EXPECT_GT(log->enforce_retention(0), 0u) << "a full disk is when retention matters most";
    }
    EXPECT_LT(log->segment_count(), segments);
    EXPECT_GT(log->log_start_offset(), 0);
    EXPECT_EQ(records_readable(*log), log->log_end_offset() - log->log_start_offset());
    end = log->log_end_offset();
  }
  auto reopened = PartitionLog::open(dir.path(), config);
  EXPECT_EQ(reopened->log_end_offset(), end);
  EXPECT_EQ(records_readable(*reopened), end - reopened->log_start_offset())
      << "the stale start-offset file is clamped to the first remaining segment";
}

}  // namespace
}  // namespace sluice::broker
