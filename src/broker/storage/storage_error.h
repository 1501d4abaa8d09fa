// A write to the data dir that failed for disk reasons (ENOSPC, EDQUOT, EIO,
// EROFS, ...), kept apart from every other failure so that handlers can answer
// Kafka's KAFKA_STORAGE_ERROR (Produce) or NOT_COORDINATOR (OffsetCommit) and
// keep the connection, instead of closing it as they do for a broken request.
//
// Invariant: whoever throws a StorageError has left its file as it was before
// the failed write (a partial batch or journal line is cut off again), so the
// same write can simply be retried once space returns. The counters only grow.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace sluice::broker {

class StorageError : public std::runtime_error {
 public:
  StorageError(const std::string& what, int error_number)
      : std::runtime_error(what), error_number_(error_number) {}
  int error_number() const { return error_number_; }

 private:
  int error_number_;
};

// Thrown by a partition whose topic was deleted while a write was on its way:
// the answer is UNKNOWN_TOPIC_OR_PARTITION, not a disk problem.
class PartitionRetired : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws StorageError "<what> <path>: <strerror(err)> (<what to do>)".
[[noreturn]] void throw_storage_error(const std::string& what, const std::filesystem::path& path,
                                      int error_number);

// What an operator should do about `error_number`, in words for the log.
std::string storage_advice(int error_number);

// Writes refused for disk reasons since the process started, by what was written.
enum class StorageWrite { kPartitionAppend, kOffsetCommit };
void count_storage_error(StorageWrite what);
uint64_t storage_errors(StorageWrite what);

}  // namespace sluice::broker
