#include "broker/storage/topic_store.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <mutex>

#include "broker/storage/durable_file.h"
#include "common/log.h"

namespace sluice::broker {
namespace {

constexpr int32_t kMaxPartitions = 10000;

constexpr const char* kTombstonePrefix = "~deleted-";
constexpr const char* kTopicConf = "topic.conf";

// Runs fn on each partition; a failure is logged and the rest still run.
template <typename Fn>
void for_each_partition(const std::vector<std::shared_ptr<PartitionLog>>& partitions,
                        const char* what, Fn&& fn) {
  for (const auto& p : partitions) {
    try {
      fn(*p);
    } catch (const std::exception& e) {
      log::error("storage", "{} failed for a partition (the others continue): {}", what, e.what());
    }
  }
}

std::optional<int32_t> parse_partition_count(const std::string& s) {
  if (s.empty() || s.size() > 5 ||
      !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoi(s);
}

StoreResult fail(StoreStatus status, std::string message) {
  return {status, std::move(message)};
}

}  // namespace

std::optional<std::string> invalid_topic_name(const std::string& name) {
  if (name.empty() || name.size() > 249) return "topic name must be 1 to 249 characters long";
  if (name == "." || name == "..") return "topic name cannot be '.' or '..'";
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return "topic name '" + name + "' has '" + std::string(1, c) +
             "'; only a-z, A-Z, 0-9, '.', '_' and '-' are allowed";
    }
  }
  return std::nullopt;
}

TopicStore::TopicStore(std::filesystem::path data_dir, TopicDefaults defaults)
    : root_(data_dir / "topics"), defaults_(std::move(defaults)) {
  std::filesystem::create_directories(root_);
  for (const auto& entry : std::filesystem::directory_iterator(root_)) {
    if (!entry.is_directory()) continue;
    if (entry.path().filename().string().starts_with(kTombstonePrefix)) {
      log::info("storage", "finishing the deletion of {}", entry.path().string());
      std::error_code ec;
      std::filesystem::remove_all(entry.path(), ec);
      if (ec) log::warn("storage", "cannot remove {}: {}", entry.path().string(), ec.message());
    } else {
      load_topic(entry.path());
    }
  }
  // Partitions hold no descriptors; this bound is what the broker's files cost.
  log::info("storage",
            "{} topic(s) loaded; segment and index files are opened on demand, at most {} at once "
            "(--max-open-segment-files)",
            topics_.size(), FileHandleCache::process_wide().capacity());
}

void TopicStore::load_topic(const std::filesystem::path& dir) {
  std::ifstream in(dir / kTopicConf);
  if (!in) {
    log::warn("storage",
              "{} has no topic.conf; skipped (remove the directory if the topic is gone)",
              dir.string());
    return;
  }
  Topic t;
  t.info.name = dir.filename().string();
  t.info.config = defaults_.log;
  for (std::string line; std::getline(in, line);) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == kTopicIdKey) {
      auto id = Uuid::parse(value);
      if (!id || id->is_zero()) {
        throw std::runtime_error((dir / kTopicConf).string() + ": id '" + value +
                                 "' is not a topic id (22 characters of base64url, not all "
                                 "zeros); restore the line from a backup, or delete it and run "
                                 "`sluice broker` once to mint a new one");
      }
      t.info.id = *id;
    } else if (key == "partitions") {
      auto n = parse_partition_count(value);
      if (!n || *n < 1 || *n > kMaxPartitions) {
        throw std::runtime_error(
            (dir / kTopicConf).string() + ": partitions must be an integer from 1 to " +
            std::to_string(kMaxPartitions) + ", got '" + value +
            "'; fix the line, or remove the topic directory to drop the topic");
      }
      t.info.partitions = *n;
    } else if (auto err = apply_config(t.info.config, key, value)) {
      log::warn("storage", "{}/topic.conf: {}; using the default", dir.string(), *err);
    } else {
      t.info.overrides[key] = value;
    }
  }
  if (t.info.id.is_zero()) {
    // Migration 1 -> 2 gave every topic an id; only a hand-edited file lacks one.
    t.info.id = Uuid::random_v4();
    write_topic_conf(t);
    log::warn("storage", "{} had no topic id; gave it {}", (dir / kTopicConf).string(),
              t.info.id.to_string());
  }
  for (int32_t p = 0; p < t.info.partitions; ++p) {
    t.partitions.push_back(PartitionLog::open(dir / std::to_string(p), t.info.config));
  }
  topics_[t.info.name] = std::move(t);
}

void TopicStore::write_topic_conf(const Topic& t) const {
  std::string content = std::string(kTopicIdKey) + "=" + t.info.id.to_string() + "\n" +
                        "partitions=" + std::to_string(t.info.partitions) + "\n";
  for (const auto& [k, v] : t.info.overrides) content += k + "=" + v + "\n";
  write_file_atomically(topic_dir(t.info.name) / kTopicConf, content);
}

StoreResult TopicStore::create_topic(const std::string& name, int32_t partitions,
                                     const std::map<std::string, std::string>& configs,
                                     bool validate_only, TopicInfo* created) {
  if (auto why = invalid_topic_name(name)) return fail(StoreStatus::kInvalidTopicName, *why);
  if (partitions == -1) partitions = defaults_.partitions;
  if (partitions < 1 || partitions > kMaxPartitions) {
    return fail(StoreStatus::kInvalidPartitions, "partition count " + std::to_string(partitions) +
                                                     " must be between 1 and " +
                                                     std::to_string(kMaxPartitions));
  }
  Topic t;
  t.info.name = name;
  t.info.partitions = partitions;
  t.info.config = defaults_.log;
  for (const auto& [k, v] : configs) {
    if (auto err = apply_config(t.info.config, k, v))
      return fail(StoreStatus::kInvalidConfig, *err);
    t.info.overrides[k] = v;
  }
  std::unique_lock lock(mu_);
  if (topics_.count(name))
    return fail(StoreStatus::kTopicExists, "topic '" + name + "' already exists");
  if (validate_only) {
    if (created) *created = t.info;
    return {};
  }
  t.info.id = new_topic_id();
  try {
    std::filesystem::create_directories(topic_dir(name));
    for (int32_t p = 0; p < partitions; ++p) {
      t.partitions.push_back(
          PartitionLog::open(topic_dir(name) / std::to_string(p), t.info.config));
    }
    write_topic_conf(t);
  } catch (const std::exception& e) {
    return fail(StoreStatus::kIoError, "creating topic '" + name + "' failed: " + e.what());
  }
  if (created) *created = t.info;
  topics_[name] = std::move(t);
  return {};
}

// 122 random bits make a repeat all but impossible; checking the live ids
// makes it impossible among the topics that exist. Called with mu_ held.
Uuid TopicStore::new_topic_id() const {
  for (;;) {
    Uuid id = Uuid::random_v4();
    bool taken = std::any_of(topics_.begin(), topics_.end(),
                             [&](const auto& entry) { return entry.second.info.id == id; });
    if (!taken) return id;
  }
}

std::filesystem::path TopicStore::new_tombstone() {
  std::filesystem::path p;
  do {
    p = root_ / (kTombstonePrefix + std::to_string(++deletions_));
  } while (std::filesystem::exists(p));
  return p;
}

StoreResult TopicStore::delete_topic(const std::string& name, const std::optional<Uuid>& only_id) {
  std::unique_lock lock(mu_);
  auto it = topics_.find(name);
  if (only_id && (it == topics_.end() || it->second.info.id != *only_id))
    return fail(StoreStatus::kUnknownTopicId, "no topic has id " + only_id->to_string());
  if (it == topics_.end())
    return fail(StoreStatus::kUnknownTopic, "topic '" + name + "' does not exist");
  auto tombstone = new_tombstone();
  std::error_code ec;
  std::filesystem::rename(topic_dir(name), tombstone, ec);
  if (ec) {
    return fail(StoreStatus::kIoError, "cannot delete topic '" + name + "': renaming " +
                                           topic_dir(name).string() + " to " + tombstone.string() +
                                           " failed: " + ec.message() +
                                           "; check the permissions of the data directory");
  }
  // Paths, not file descriptors, name a partition's future files: a producer still
  // holding one must not roll a segment into a topic re-created under this name.
  for (const auto& p : it->second.partitions) p->retire("topic '" + name + "' was deleted");
  topics_.erase(it);
  lock.unlock();  // removing a large topic takes a while, and the name is free already
  std::filesystem::remove_all(tombstone, ec);
  if (ec)
    log::warn("storage", "cannot remove {} ({}); the next start retries", tombstone.string(),
              ec.message());
  log::info("storage", "deleted topic '{}'", name);
  return {};
}

StoreResult TopicStore::add_partitions(const std::string& name, int32_t new_total) {
  std::unique_lock lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end())
    return fail(StoreStatus::kUnknownTopic, "topic '" + name + "' does not exist");
  Topic& t = it->second;
  if (new_total <= t.info.partitions || new_total > kMaxPartitions) {
    return fail(StoreStatus::kInvalidPartitions,
                "topic '" + name + "' has " + std::to_string(t.info.partitions) +
                    " partitions; the new count must be larger (and at most " +
                    std::to_string(kMaxPartitions) + ")");
  }
  try {
    for (int32_t p = t.info.partitions; p < new_total; ++p) {
      t.partitions.push_back(
          PartitionLog::open(topic_dir(name) / std::to_string(p), t.info.config));
    }
    t.info.partitions = new_total;
    write_topic_conf(t);
  } catch (const std::exception& e) {
    return fail(StoreStatus::kIoError, "adding partitions to '" + name + "' failed: " + e.what());
  }
  return {};
}

StoreResult TopicStore::alter_configs(
    const std::string& name, const std::map<std::string, std::optional<std::string>>& changes,
    bool validate_only) {
  std::unique_lock lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end())
    return fail(StoreStatus::kUnknownTopic, "topic '" + name + "' does not exist");
  Topic& t = it->second;
  auto known = config_to_map(defaults_.log);
  auto overrides = t.info.overrides;
  for (const auto& [key, value] : changes) {
    if (value) {
      overrides[key] = *value;
    } else if (!known.count(key)) {  // removing a setting that does not exist is a typo too
      return fail(StoreStatus::kInvalidConfig, "cannot remove unknown topic config '" + key + "'");
    } else {
      overrides.erase(key);
    }
  }
  // Rebuilt from the defaults, so a removed override really falls back to them.
  LogConfig config = defaults_.log;
  for (const auto& [key, value] : overrides) {
    if (auto err = apply_config(config, key, value)) return fail(StoreStatus::kInvalidConfig, *err);
  }
  if (validate_only) return {};
  Topic updated;
  updated.info = t.info;
  updated.info.config = config;
  updated.info.overrides = std::move(overrides);
  try {
    write_topic_conf(updated);
  } catch (const std::exception& e) {
    return fail(StoreStatus::kIoError,
                "altering the configs of topic '" + name + "' failed: " + e.what());
  }
  t.info = std::move(updated.info);
  for (const auto& p : t.partitions) p->set_config(config);
  return {};
}

void TopicStore::set_defaults(const LogConfig& log) {
  std::unique_lock lock(mu_);
  const FlushPolicy flush = defaults_.log.flush;  // the broker's, never an admin's
  defaults_.log = log;
  defaults_.log.flush = flush;
  for (auto& [name, t] : topics_) {
    LogConfig config = defaults_.log;
    for (const auto& [key, value] : t.info.overrides) {
      // Valid when stored; a setting can only fail here if the table changed.
      if (auto err = apply_config(config, key, value))
        log::warn("storage", "topic '{}': {}; the broker default applies", name, *err);
    }
    t.info.config = config;
    for (const auto& p : t.partitions) p->set_config(config);
  }
}

std::shared_ptr<PartitionLog> TopicStore::partition(const std::string& topic,
                                                    int32_t partition) const {
  std::shared_lock lock(mu_);
  auto it = topics_.find(topic);
  if (it == topics_.end() || partition < 0 || partition >= int32_t(it->second.partitions.size()))
    return nullptr;
  return it->second.partitions[size_t(partition)];
}

std::optional<TopicStore::TopicInfo> TopicStore::describe(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return std::nullopt;
  return it->second.info;
}

std::optional<TopicStore::TopicInfo> TopicStore::describe(const Uuid& id) const {
  std::shared_lock lock(mu_);
  for (const auto& [name, t] : topics_) {
    if (t.info.id == id) return t.info;
  }
  return std::nullopt;
}

std::vector<TopicStore::TopicInfo> TopicStore::list() const {
  std::shared_lock lock(mu_);
  std::vector<TopicInfo> out;
  for (const auto& [name, t] : topics_) out.push_back(t.info);
  return out;
}

std::vector<std::shared_ptr<PartitionLog>> TopicStore::all_partitions() const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<PartitionLog>> out;
  for (const auto& [name, t] : topics_)
    out.insert(out.end(), t.partitions.begin(), t.partitions.end());
  return out;
}

size_t TopicStore::enforce_retention(int64_t now_ms) {
  size_t removed = 0;
  for_each_partition(all_partitions(), "retention",
                     [&](PartitionLog& p) { removed += p.enforce_retention(now_ms); });
  return removed;
}

CleanStats TopicStore::clean_compacted(int64_t now_ms, const CleanerOptions& options,
                                       const std::function<bool()>& stopping) {
  CleanStats total;
  for (const auto& p : all_partitions()) {
    if (stopping()) break;
    for_each_partition({p}, "compaction",
                       [&](PartitionLog& log) { total += clean_log(log, now_ms, options); });
  }
  return total;
}

void TopicStore::flush_due() {
  for_each_partition(all_partitions(), "interval flush", [](PartitionLog& p) { p.flush_if_due(); });
}

void TopicStore::flush_all() {
  for_each_partition(all_partitions(), "flush", [](PartitionLog& p) { p.flush(); });
}

void assign_missing_topic_ids(const std::filesystem::path& data_dir) {
  auto root = data_dir / "topics";
  std::error_code ec;
  if (!std::filesystem::exists(root, ec)) return;
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    auto conf = entry.path() / kTopicConf;
    if (!entry.is_directory() || entry.path().filename().string().starts_with(kTombstonePrefix) ||
        !std::filesystem::exists(conf)) {
      continue;  // the broker's start skips or removes these itself
    }
    std::ifstream in(conf, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + conf.string() + " to give it a topic id");
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string prefix = std::string(kTopicIdKey) + "=";
    if (content.starts_with(prefix) || content.find("\n" + prefix) != std::string::npos) continue;
    // The id goes first, as write_topic_conf puts it; the rest stays as it was.
    write_file_atomically(conf, prefix + Uuid::random_v4().to_string() + "\n" + content);
  }
}

}  // namespace sluice::broker
