#include "broker/storage/topic_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <mutex>

#include "common/log.h"

namespace sluice::broker {
namespace {

constexpr int32_t kMaxPartitions = 10000;

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  auto tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0 && ::write(fd, content.data(), content.size()) == ssize_t(content.size()) && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!ok) throw std::runtime_error("cannot write " + tmp.string());
  std::filesystem::rename(tmp, path);
  int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

StoreResult fail(StoreStatus status, std::string message) { return {status, std::move(message)}; }

}  // namespace

std::optional<std::string> invalid_topic_name(const std::string& name) {
  if (name.empty() || name.size() > 249) return "topic name must be 1 to 249 characters long";
  if (name == "." || name == "..") return "topic name cannot be '.' or '..'";
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return "topic name '" + name + "' has '" + std::string(1, c) + "'; only a-z, A-Z, 0-9, '.', '_' and '-' are allowed";
    }
  }
  return std::nullopt;
}

TopicStore::TopicStore(std::filesystem::path data_dir, TopicDefaults defaults)
    : root_(data_dir / "topics"), defaults_(std::move(defaults)) {
  std::filesystem::create_directories(root_);
  for (const auto& entry : std::filesystem::directory_iterator(root_)) {
    if (entry.is_directory()) load_topic(entry.path());
  }
}

void TopicStore::load_topic(const std::filesystem::path& dir) {
  std::ifstream in(dir / "topic.conf");
  if (!in) {
    log::warn("storage", "{} has no topic.conf; skipped (remove the directory if the topic is gone)", dir.string());
    return;
  }
  Topic t;
  t.info.name = dir.filename().string();
  t.info.config = defaults_.log;
  for (std::string line; std::getline(in, line);) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "partitions") {
      t.info.partitions = std::stoi(value);
    } else if (auto err = apply_config(t.info.config, key, value)) {
      log::warn("storage", "{}/topic.conf: {}; using the default", dir.string(), *err);
    } else {
      t.info.overrides[key] = value;
    }
  }
  for (int32_t p = 0; p < t.info.partitions; ++p) {
    t.partitions.push_back(PartitionLog::open(dir / std::to_string(p), t.info.config));
  }
  topics_[t.info.name] = std::move(t);
}

void TopicStore::write_topic_conf(const Topic& t) const {
  std::string content = "partitions=" + std::to_string(t.info.partitions) + "\n";
  for (const auto& [k, v] : t.info.overrides) content += k + "=" + v + "\n";
  write_file_atomically(topic_dir(t.info.name) / "topic.conf", content);
}

StoreResult TopicStore::create_topic(const std::string& name, int32_t partitions,
                                     const std::map<std::string, std::string>& configs, bool validate_only) {
  if (auto why = invalid_topic_name(name)) return fail(StoreStatus::kInvalidTopicName, *why);
  if (partitions == -1) partitions = defaults_.partitions;
  if (partitions < 1 || partitions > kMaxPartitions) {
    return fail(StoreStatus::kInvalidPartitions,
                "partition count " + std::to_string(partitions) + " must be between 1 and " + std::to_string(kMaxPartitions));
  }
  Topic t;
  t.info.name = name;
  t.info.partitions = partitions;
  t.info.config = defaults_.log;
  for (const auto& [k, v] : configs) {
    if (auto err = apply_config(t.info.config, k, v)) return fail(StoreStatus::kInvalidConfig, *err);
    t.info.overrides[k] = v;
  }
  std::unique_lock lock(mu_);
  if (topics_.count(name)) return fail(StoreStatus::kTopicExists, "topic '" + name + "' already exists");
  if (validate_only) return {};
  try {
    std::filesystem::create_directories(topic_dir(name));
    for (int32_t p = 0; p < partitions; ++p) {
      t.partitions.push_back(PartitionLog::open(topic_dir(name) / std::to_string(p), t.info.config));
    }
    write_topic_conf(t);
  } catch (const std::exception& e) {
    return fail(StoreStatus::kIoError, "creating topic '" + name + "' failed: " + e.what());
  }
  topics_[name] = std::move(t);
  return {};
}

StoreResult TopicStore::delete_topic(const std::string& name) {
  std::unique_lock lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return fail(StoreStatus::kUnknownTopic, "topic '" + name + "' does not exist");
  topics_.erase(it);
  std::error_code ec;
  std::filesystem::remove_all(topic_dir(name), ec);
  if (ec) return fail(StoreStatus::kIoError, "removing " + topic_dir(name).string() + ": " + ec.message());
  log::info("storage", "deleted topic '{}'", name);
  return {};
}

StoreResult TopicStore::add_partitions(const std::string& name, int32_t new_total) {
  std::unique_lock lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return fail(StoreStatus::kUnknownTopic, "topic '" + name + "' does not exist");
  Topic& t = it->second;
  if (new_total <= t.info.partitions || new_total > kMaxPartitions) {
    return fail(StoreStatus::kInvalidPartitions, "topic '" + name + "' has " + std::to_string(t.info.partitions) +
                                                     " partitions; the new count must be larger (and at most " +
                                                     std::to_string(kMaxPartitions) + ")");
  }
  try {
    for (int32_t p = t.info.partitions; p < new_total; ++p) {
      t.partitions.push_back(PartitionLog::open(topic_dir(name) / std::to_string(p), t.info.config));
    }
    t.info.partitions = new_total;
    write_topic_conf(t);
  } catch (const std::exception& e) {
    return fail(StoreStatus::kIoError, "adding partitions to '" + name + "' failed: " + e.what());
  }
  return {};
}

std::shared_ptr<PartitionLog> TopicStore::partition(const std::string& topic, int32_t partition) const {
  std::shared_lock lock(mu_);
  auto it = topics_.find(topic);
  if (it == topics_.end() || partition < 0 || partition >= int32_t(it->second.partitions.size())) return nullptr;
  return it->second.partitions[size_t(partition)];
}

std::optional<TopicStore::TopicInfo> TopicStore::describe(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return std::nullopt;
  return it->second.info;
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
  for (const auto& [name, t] : topics_) out.insert(out.end(), t.partitions.begin(), t.partitions.end());
  return out;
}

size_t TopicStore::enforce_retention(int64_t now_ms) {
  size_t removed = 0;
  for (const auto& p : all_partitions()) removed += p->enforce_retention(now_ms);
  return removed;
}

void TopicStore::flush_due() {
  for (const auto& p : all_partitions()) p->flush_if_due();
}

void TopicStore::flush_all() {
  for (const auto& p : all_partitions()) p->flush();
}

}  // namespace sluice::broker
