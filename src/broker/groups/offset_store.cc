#include "broker/groups/offset_store.h"

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "broker/storage/storage_error.h"
#include "common/log.h"

namespace sluice::broker {
namespace {

// One line per change: C <group> <topic> <partition> <offset> <epoch> <time> <metadata>
// or D <group> <topic> <partition>. Names are hex fields (line_journal.h).
constexpr auto hex = hex_field;
constexpr auto unhex = unhex_field;

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

}  // namespace

OffsetStore::OffsetStore(const std::filesystem::path& dir, bool sync)
    : path_(dir / "consumer_offsets.journal"), journal_(path_, sync) {
  std::filesystem::create_directories(dir);
  journal_.replay([&](const std::string& line) {
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
        if (!fields) return false;
        c.metadata = unhex(metadata);
        offsets_[key] = c;
        return true;
      }
      if (kind == "D" && fields) {
        offsets_.erase(key);
        return true;
      }
    } catch (const std::exception&) {
    }
    return false;  // a torn last line from a crash mid-write; earlier lines stand
  });
  rewrite_compacted();
}

OffsetStore::~OffsetStore() = default;

void OffsetStore::rewrite_compacted() {
  std::string content;
  for (const auto& [k, c] : offsets_) content += commit_line(k, c);
  journal_.replace(content);
}

void OffsetStore::append(const std::string& lines) {
  try {
    journal_.append(lines);
  } catch (const StorageError& e) {
    if (!write_failing_) {
      log::error("broker",
                 "{}; offset commits are answered NOT_COORDINATOR (clients retry) until the "
                 "journal can be written again",
                 e.what());
    }
    write_failing_ = true;
    throw;
  }
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
