#include "broker/groups/offset_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "broker/storage/storage_error.h"
#include "common/log.h"

namespace sluice::broker {
namespace {

// One line per change: C <group> <topic> <partition> <offset> <epoch> <time> <metadata>
// or D <group> <topic> <partition>. Names are hex-encoded so any byte is safe.
std::string hex(const std::string& s) {
  static const char* digits = "0123456789abcdef";
  std::string out = "x";  // never empty, so fields always split
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string unhex(const std::string& s) {
  if (s.empty() || s[0] != 'x' || s.size() % 2 != 1) throw std::runtime_error("bad hex field");
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); i += 2) out += char(std::stoi(s.substr(i, 2), nullptr, 16));
  return out;
}

std::string commit_line(const OffsetKey& k, const CommittedOffset& c) {
  std::ostringstream line;
  line << "C " << hex(k.group) << ' ' << hex(k.topic) << ' ' << k.partition << ' ' << c.offset
       << ' ' << c.leader_epoch << ' ' << c.commit_time_ms << ' ' << hex(c.metadata) << '\n';
  return line.str();
}

std::string delete_line(const OffsetKey& k) {
  std::ostringstream line;
  line << "D " << hex(k.group) << ' ' << hex(k.topic) << ' ' << k.partition << '\n';
  return line.str();
}

void write_all(int fd, const std::string& data, const std::filesystem::path& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw_storage_error("cannot write", path, n < 0 ? errno : ENOSPC);
    done += size_t(n);
  }
}

}  // namespace

OffsetStore::OffsetStore(const std::filesystem::path& dir, bool sync)
    : path_(dir / "consumer_offsets.journal"), sync_(sync) {
  std::filesystem::create_directories(dir);
  std::ifstream in(path_);
  std::string line;
  size_t number = 0, skipped = 0;
  while (std::getline(in, line)) {
    ++number;
    std::istringstream fields(line);
    std::string kind, group, topic, metadata;
    OffsetKey key;
    CommittedOffset c;
    try {
      fields >> kind >> group >> topic >> key.partition;
      key.group = unhex(group);
      key.topic = unhex(topic);
      if (kind == "C") {
        fields >> c.offset >> c.leader_epoch >> c.commit_time_ms >> metadata;
        if (!fields) throw std::runtime_error("short line");
        c.metadata = unhex(metadata);
        offsets_[key] = c;
      } else if (kind == "D" && fields) {
        offsets_.erase(key);
      } else {
        throw std::runtime_error("unknown record");
      }
    } catch (const std::exception&) {
      ++skipped;  // a torn last line from a crash mid-write; earlier lines stand
    }
  }
  if (skipped > 0)
    log::warn("broker", "{}: ignored {} unreadable line(s) of {}", path_.string(), skipped, number);
  rewrite_compacted();
}

OffsetStore::~OffsetStore() {
  if (fd_ >= 0) ::close(fd_);
}

void OffsetStore::rewrite_compacted() {
  std::string content;
  for (const auto& [k, c] : offsets_) content += commit_line(k, c);
  auto tmp = path_;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::runtime_error("cannot create " + tmp.string() + ": " + std::strerror(errno));
  write_all(fd, content, tmp);
  ::fdatasync(fd);
  ::close(fd);
  std::filesystem::rename(tmp, path_);
  journal_bytes_ = content.size();
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0)
    throw std::runtime_error("cannot open " + path_.string() + ": " + std::strerror(errno));
}

void OffsetStore::append(const std::string& lines) {
  try {
    // A line a failed append could not cut off is cut now, before anything follows it.
    if (torn_tail_ && ::ftruncate(fd_, off_t(journal_bytes_)) != 0)
      throw_storage_error("cannot cut a partial line off", path_, errno);
    torn_tail_ = false;
    write_all(fd_, lines, path_);
    if (sync_ && ::fdatasync(fd_) != 0) throw_storage_error("cannot fdatasync", path_, errno);
  } catch (const StorageError& e) {
    // Half a line would swallow the next one at replay: cut back to the last whole line.
    torn_tail_ = ::ftruncate(fd_, off_t(journal_bytes_)) != 0;
    if (!write_failing_) {
      log::error("broker",
                 "{}; offset commits are answered NOT_COORDINATOR (clients retry) until the "
                 "journal can be written again",
                 e.what());
    }
    write_failing_ = true;
    throw;
  }
  journal_bytes_ += lines.size();
  if (write_failing_) {
    write_failing_ = false;
    log::info("broker", "{}: offset commits are journaled again", path_.string());
  }
}

void OffsetStore::commit(const std::vector<std::pair<OffsetKey, CommittedOffset>>& entries) {
  std::string lines;
  for (const auto& [k, c] : entries) lines += commit_line(k, c);
  std::lock_guard lock(mu_);
  try {
    append(lines);
  } catch (const StorageError&) {
    count_storage_error(StorageWrite::kOffsetCommit);
    throw;
  }
  for (const auto& [k, c] : entries) offsets_[k] = c;
}

std::optional<CommittedOffset> OffsetStore::fetch(const OffsetKey& key) const {
  std::lock_guard lock(mu_);
  auto it = offsets_.find(key);
  if (it == offsets_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::pair<OffsetKey, CommittedOffset>> OffsetStore::group_offsets(
    const std::string& group) const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<OffsetKey, CommittedOffset>> out;
  for (auto it = offsets_.lower_bound({group, "", INT32_MIN});
       it != offsets_.end() && it->first.group == group; ++it) {
    out.push_back(*it);
  }
  return out;
}

bool OffsetStore::has_group(const std::string& group) const {
  std::lock_guard lock(mu_);
  auto it = offsets_.lower_bound({group, "", INT32_MIN});
  return it != offsets_.end() && it->first.group == group;
}

std::vector<std::string> OffsetStore::groups() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [k, c] : offsets_) {
    if (out.empty() || out.back() != k.group) out.push_back(k.group);
  }
  return out;
}

void OffsetStore::erase(const OffsetKey& key) {
  std::lock_guard lock(mu_);
  if (!offsets_.contains(key)) return;
  append(delete_line(key));  // first: a refused deletion must not happen in memory only
  offsets_.erase(key);
}

void OffsetStore::erase_group(const std::string& group) {
  std::lock_guard lock(mu_);
  auto first = offsets_.lower_bound({group, "", INT32_MIN});
  auto last = first;
  std::string lines;
  for (; last != offsets_.end() && last->first.group == group; ++last)
    lines += delete_line(last->first);
  if (lines.empty()) return;
  append(lines);  // first: a refused deletion must not happen in memory only
  offsets_.erase(first, last);
}

}  // namespace sluice::broker
