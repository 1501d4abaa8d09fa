#include "broker/storage/line_journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <stdexcept>

#include "broker/storage/durable_file.h"
#include "broker/storage/storage_error.h"
#include "common/log.h"

namespace sluice::broker {
namespace {

void write_all(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw_storage_error("cannot write", path, n < 0 ? errno : ENOSPC);
    data.remove_prefix(size_t(n));
  }
}

}  // namespace

LineJournal::LineJournal(std::filesystem::path path, bool sync)
    : path_(std::move(path)), sync_(sync) {}

LineJournal::~LineJournal() {
  if (fd_ >= 0) ::close(fd_);
}

void LineJournal::replay(const std::function<bool(const std::string&)>& apply) const {
  std::ifstream in(path_);
  std::string line;
  size_t number = 0, skipped = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!apply(line)) ++skipped;
  }
  if (skipped > 0)
    log::warn("broker", "{}: ignored {} unreadable line(s) of {}", path_.string(), skipped, number);
}

void LineJournal::replace(const std::string& content) {
  write_file_atomically(path_, content);
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0) throw_storage_error("cannot open", path_, errno);
  bytes_ = content.size();
  torn_tail_ = false;
}

void LineJournal::append(const std::string& lines) {
  try {
    // A line a failed append could not cut off is cut now, before anything follows it.
    if (torn_tail_ && ::ftruncate(fd_, off_t(bytes_)) != 0)
      throw_storage_error("cannot cut a partial line off", path_, errno);
    torn_tail_ = false;
    write_all(fd_, lines, path_);
    if (sync_ && ::fdatasync(fd_) != 0) throw_storage_error("cannot fdatasync", path_, errno);
  } catch (const StorageError&) {
    // Half a line would swallow the next one at replay: cut back to the last whole line.
    torn_tail_ = ::ftruncate(fd_, off_t(bytes_)) != 0;
    throw;
  }
  bytes_ += lines.size();
}

std::string hex_field(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out = "x";  // never empty, so fields always split
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string unhex_field(const std::string& s) {
  if (s.empty() || s[0] != 'x' || s.size() % 2 != 1) throw std::runtime_error("bad hex field");
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); i += 2) out += char(std::stoi(s.substr(i, 2), nullptr, 16));
  return out;
}

}  // namespace sluice::broker
