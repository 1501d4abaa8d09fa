// Implements docs/formats/data-dir.md.
#include "broker/storage/data_dir_format.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "broker/storage/data_dir_lock.h"
#include "broker/storage/durable_file.h"
#include "broker/storage/topic_store.h"
#include "common/base64.h"
#include "common/log.h"

namespace sluice::broker {
namespace {

constexpr const char* kMarkerFile = "meta.properties";
constexpr const char* kVersionKey = "version";
constexpr const char* kClusterIdKey = "cluster.id";
constexpr size_t kMaxClusterIdLength = 64;

// Kafka's shape: 16 random bytes, base64url without padding (22 characters).
std::string new_cluster_id() {
  std::random_device rd;
  std::string bytes(16, '\0');
  for (char& b : bytes) b = char(rd() & 0xff);
  std::string id = base64::encode(bytes);
  id.erase(std::remove(id.begin(), id.end(), '='), id.end());
  std::replace(id.begin(), id.end(), '+', '-');
  std::replace(id.begin(), id.end(), '/', '_');
  return id;
}

bool valid_cluster_id(const std::string& id) {
  return !id.empty() && id.size() <= kMaxClusterIdLength &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
         });
}

std::optional<int> parse_version(const std::string& s) {
  if (s.empty() || s.size() > 6 ||
      !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoi(s);
}

[[noreturn]] void corrupt(const std::filesystem::path& path, const std::string& why) {
  throw DataDirRefused(
      "the data directory's format marker " + path.string() + " is damaged (" + why +
      "), so the broker will not guess what the directory holds. It must hold the lines "
      "'version=N' and 'cluster.id=ID' (docs/formats/data-dir.md): restore it from a backup, or "
      "write it by hand with the version of the sluice release that last ran on this directory");
}

[[noreturn]] void too_new(const std::filesystem::path& data_dir, int version, int supported) {
  throw DataDirRefused(
      "the data directory " + data_dir.string() + " has format version " + std::to_string(version) +
      ", written by a newer sluice release; this binary reads versions " + "up to " +
      std::to_string(supported) +
      ". Nothing in it was read or changed: run it with the newer release (downgrades are not "
      "supported), or start this one with another --data-dir");
}

// Empty apart from the lock file its owner took first (storage/data_dir_lock.h).
// A directory that cannot be read is not empty: formatting it as new could hide
// the data it holds behind a fresh marker.
bool is_empty_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  bool exists = std::filesystem::exists(dir, ec);
  if (ec) return false;
  if (!exists) return true;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return false;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (it->path() != DataDirLock::file_in(dir)) return false;
  }
  return !ec;
}

}  // namespace

DataDirMarker parse_marker(const std::string& text, const std::filesystem::path& path,
                           int newest_known) {
  std::map<std::string, std::string> values;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) corrupt(path, "a line without '='");
    std::string key = line.substr(0, eq);
    if (!values.emplace(key, line.substr(eq + 1)).second) corrupt(path, "'" + key + "' twice");
  }
  if (!values.count(kVersionKey)) corrupt(path, "no 'version' line");
  auto version = parse_version(values[kVersionKey]);
  if (!version) corrupt(path, "version '" + values[kVersionKey] + "' is not a number");
  auto id = values.find(kClusterIdKey);
  DataDirMarker m{*version, id == values.end() ? "" : id->second};
  // A newer format may add keys: only a version this binary knows is checked further.
  if (m.version > newest_known) return m;
  if (m.version == kNoMarkerFormat) corrupt(path, "version 0 is the format without a marker");
  if (id == values.end()) corrupt(path, "no 'cluster.id' line");
  if (!valid_cluster_id(m.cluster_id))
    corrupt(path, "cluster.id must be 1-64 characters of a-z, A-Z, 0-9, '-' and '_'");
  for (const auto& [key, value] : values) {
    if (key != kVersionKey && key != kClusterIdKey) corrupt(path, "unknown key '" + key + "'");
  }
  return m;
}

std::string format_marker(const DataDirMarker& marker) {
  return "# sluice data directory format marker: see docs/formats/data-dir.md\n" +
         std::string(kVersionKey) + "=" + std::to_string(marker.version) + "\n" + kClusterIdKey +
         "=" + marker.cluster_id + "\n";
}

std::optional<DataDirMarker> read_marker(const std::filesystem::path& data_dir, int newest_known) {
  auto path = data_dir / kMarkerFile;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return std::nullopt;
    corrupt(path, "it cannot be read");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_marker(text.str(), path, newest_known);
}

void write_marker(const std::filesystem::path& data_dir, const DataDirMarker& marker) {
  write_file_atomically(data_dir / kMarkerFile, format_marker(marker));
}

const std::vector<MigrationStep>& migration_steps() {
  // Add a step here for every change to what is on disk, and a line to the
  // version table of docs/formats/data-dir.md.
  static const std::vector<MigrationStep> steps = {
      {0, "give the directory its format marker (the layout is unchanged)",
       [](const std::filesystem::path&) {}},
      {1, "give every topic a topic id (a line 'id=...' in its topic.conf)",
       &assign_missing_topic_ids},
  };
  return steps;
}

int current_data_dir_format() {
  return int(migration_steps().size());
}

DataDirMarker open_data_dir(const std::filesystem::path& data_dir) {
  return open_data_dir(data_dir, migration_steps());
}

DataDirMarker open_data_dir(const std::filesystem::path& data_dir,
                            const std::vector<MigrationStep>& steps) {
  const int target = int(steps.size());
  for (int i = 0; i < target; ++i) {
    if (steps[size_t(i)].from != i) throw std::logic_error("migration steps out of order");
  }
  if (is_empty_dir(data_dir)) {
    std::filesystem::create_directories(data_dir);
    DataDirMarker fresh{target, new_cluster_id()};
    write_marker(data_dir, fresh);
    log::info("storage", "new data directory {}: format {}, cluster id {}", data_dir.string(),
              fresh.version, fresh.cluster_id);
    return fresh;
  }
  DataDirMarker marker =
      read_marker(data_dir, target).value_or(DataDirMarker{kNoMarkerFormat, kLegacyClusterId});
  if (marker.version > target) too_new(data_dir, marker.version, target);
  while (marker.version < target) {
    const MigrationStep& step = steps[size_t(marker.version)];
    log::info("storage", "migrating data directory {} from format {} to {}: {}", data_dir.string(),
              marker.version, marker.version + 1, step.what);
    step.run(data_dir);
    ++marker.version;
    write_marker(data_dir, marker);
  }
  return marker;
}

}  // namespace sluice::broker
