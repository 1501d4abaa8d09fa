// One process at a time owns a broker data directory: the broker, or an offline
// tool (`sluice users|acls --data-dir`) editing it while the broker is stopped.
//
// Promises:
//  - While a DataDirLock exists, no other DataDirLock on the same directory can
//    be taken, in this process or any other: the second one throws
//    DataDirInUse naming the directory and the process holding it.
//  - The lock is an advisory flock(2) on DATA_DIR/.lock (as Kafka's log dirs
//    do), so it is released by the kernel when the holder exits, kill -9
//    included: a crash never leaves a directory locked for good.
//  - The file records the holder's pid and what it is, for the message only;
//    its content is never trusted for the decision.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace sluice::broker {

class DataDirInUse : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class DataDirLock {
 public:
  // Creates `dir` if needed and locks it for `holder` (e.g. "sluice broker").
  // Throws DataDirInUse if another holder has it, std::runtime_error naming the
  // file if the lock file cannot be opened.
  DataDirLock(const std::filesystem::path& dir, const std::string& holder);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

  static std::filesystem::path file_in(const std::filesystem::path& dir) { return dir / ".lock"; }

 private:
  int fd_ = -1;
};

}  // namespace sluice::broker
