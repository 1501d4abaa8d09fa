#include "broker/storage/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace sluice::broker {
namespace {

// The holder line a previous owner wrote, for the message ("" if unreadable).
std::string holder_of(int fd) {
  char text[256];
  const ssize_t n = pread(fd, text, sizeof text - 1, 0);
  if (n <= 0) return "";
  std::string line(text, size_t(n));
  if (auto end = line.find('\n'); end != std::string::npos) line.resize(end);
  return line;
}

}  // namespace

DataDirLock::DataDirLock(const std::filesystem::path& dir, const std::string& holder) {
  std::filesystem::create_directories(dir);
  const std::filesystem::path file = file_in(dir);
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw std::runtime_error("cannot open the data dir lock " + file.string() + ": " +
                             std::strerror(errno));
  // flock locks belong to the open file description: a second open in this
  // process conflicts too, which is what keeps two brokers in one test apart.
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    const std::string other = holder_of(fd_);
    ::close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK)
      throw DataDirInUse("the data dir " + dir.string() + " is in use" +
                         (other.empty() ? "" : " by " + other) +
                         "; only one process may use it at a time: stop that one first (for "
                         "sluice users|acls, leave out --data-dir to change a running broker)");
    throw std::runtime_error("cannot lock " + file.string() + ": " + std::strerror(err));
  }
  const std::string line = holder + " (pid " + std::to_string(::getpid()) + ")\n";
  if (::ftruncate(fd_, 0) == 0) {
    [[maybe_unused]] ssize_t written = ::pwrite(fd_, line.data(), line.size(), 0);
  }
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

}  // namespace sluice::broker
