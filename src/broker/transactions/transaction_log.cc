#include "broker/transactions/transaction_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "broker/storage/storage_error.h"
#include "common/log.h"

namespace sluice::broker::transactions {
namespace {

// Names are hex-encoded behind an 'x', so any byte is safe and no field is empty.
std::string hex(const std::string& s) {
  static const char* digits = "0123456789abcdef";
  std::string out = "x";
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

std::string TransactionLog::encode(const TransactionMetadata& t) {
  std::ostringstream l;
  l << "T1 " << hex(t.transactional_id) << ' ' << t.producer_id << ' ' << t.producer_epoch << ' '
    << t.timeout_ms << ' ' << state_name(t.state) << ' ' << t.start_time_ms << ' '
    << t.partitions.size();
  for (const auto& [topic, partition] : t.partitions) l << ' ' << hex(topic) << ' ' << partition;
  l << ' ' << t.groups.size();
  for (const auto& g : t.groups) l << ' ' << hex(g);
  l << ' ' << t.pending_offsets.size();
  for (const auto& [k, c] : t.pending_offsets) {
    l << ' ' << hex(k.group) << ' ' << hex(k.topic) << ' ' << k.partition << ' ' << c.offset << ' '
      << c.leader_epoch << ' ' << c.commit_time_ms << ' ' << hex(c.metadata);
  }
  l << " .\n";  // the end mark: a line cut anywhere before it is torn
  return l.str();
}

std::optional<TransactionMetadata> TransactionLog::decode(const std::string& line) {
  std::istringstream f(line);
  TransactionMetadata t;
  std::string kind, id, state, word;
  size_t n = 0;
  try {
    f >> kind >> id >> t.producer_id >> t.producer_epoch >> t.timeout_ms >> state >>
        t.start_time_ms >> n;
    auto s = state_from_name(state);
    if (!f || kind != "T1" || !s) return std::nullopt;
    t.transactional_id = unhex(id);
    t.state = *s;
    for (size_t i = 0; i < n && f; ++i) {
      int32_t p = 0;
      f >> word >> p;
      t.partitions.emplace(unhex(word), p);
    }
    f >> n;
    for (size_t i = 0; i < n && f; ++i) {
      f >> word;
      t.groups.insert(unhex(word));
    }
    f >> n;
    for (size_t i = 0; i < n && f; ++i) {
      OffsetKey k;
      CommittedOffset c;
      std::string group, topic, metadata;
      f >> group >> topic >> k.partition >> c.offset >> c.leader_epoch >> c.commit_time_ms >>
          metadata;
      k.group = unhex(group);
      k.topic = unhex(topic);
      c.metadata = unhex(metadata);
      t.pending_offsets[k] = c;
    }
    f >> word;
    if (!f || word != ".") return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return t;
}

TransactionLog::TransactionLog(const std::filesystem::path& dir, bool sync,
                               std::map<std::string, TransactionMetadata>& out)
    : path_(dir / "transaction_state.log"), sync_(sync) {
  std::filesystem::create_directories(dir);
  std::ifstream in(path_);
  std::string line;
  size_t number = 0, skipped = 0;
  while (std::getline(in, line)) {
    ++number;
    if (auto t = decode(line)) {
      out[t->transactional_id] = std::move(*t);
    } else {
      ++skipped;  // a torn last line: its change was never answered
    }
  }
  if (skipped > 0)
    log::warn("broker", "{}: ignored {} unreadable line(s) of {}", path_.string(), skipped, number);
  rewrite(out);
}

TransactionLog::~TransactionLog() {
  if (fd_ >= 0) ::close(fd_);
}

void TransactionLog::rewrite(const std::map<std::string, TransactionMetadata>& all) {
  std::string content;
  for (const auto& [id, t] : all) content += encode(t);
  auto tmp = path_;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::runtime_error("cannot create " + tmp.string() + ": " + std::strerror(errno));
  write_all(fd, content, tmp);
  ::fdatasync(fd);
  ::close(fd);
  std::filesystem::rename(tmp, path_);
  bytes_ = content.size();
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0)
    throw std::runtime_error("cannot open " + path_.string() + ": " + std::strerror(errno));
}

void TransactionLog::write(const TransactionMetadata& txn) {
  std::string line = encode(txn);
  std::lock_guard lock(mu_);
  try {
    write_all(fd_, line, path_);
    if (sync_ && ::fdatasync(fd_) != 0) throw_storage_error("cannot fdatasync", path_, errno);
  } catch (...) {
    // Cut off what part of the line got written, so the next write starts a whole line.
    if (::ftruncate(fd_, off_t(bytes_)) != 0)
      log::warn("broker", "{}: cannot cut off a partial line: {}", path_.string(),
                std::strerror(errno));
    throw;
  }
  bytes_ += line.size();
}

}  // namespace sluice::broker::transactions
