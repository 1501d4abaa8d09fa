#include "broker/storage/log_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

namespace sluice::broker {
namespace {

std::optional<int64_t> parse_int(const std::string& s) {
  try {
    size_t used = 0;
    int64_t v = std::stoll(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// One setting: how a value is read into LogConfig (nullopt, or what values are
// accepted) and how the current one is shown.
using Apply = std::optional<std::string> (*)(LogConfig&, const std::string&);
using Show = std::string (*)(const LogConfig&);
struct Row {
  ConfigDef def;
  Apply apply;
  Show show;
};

std::string range_text(int64_t min, int64_t max) {
  if (max == LogConfig::kNoLimit) return fmt::format("an integer >= {}", min);
  return fmt::format("an integer from {} to {}", min, max);
}

template <auto Member, int64_t Min, int64_t Max>
std::optional<std::string> set_integer(LogConfig& c, const std::string& v) {
  auto n = parse_int(v);
  if (!n || *n < Min || *n > Max) return range_text(Min, Max);
  c.*Member = static_cast<std::remove_reference_t<decltype(c.*Member)>>(*n);
  return std::nullopt;
}
template <auto Member>
std::string show_integer(const LogConfig& c) {
  return std::to_string(c.*Member);
}

template <auto Member>
std::optional<std::string> set_bool(LogConfig& c, const std::string& v) {
  if (v != "true" && v != "false") return "true or false";
  c.*Member = v == "true";
  return std::nullopt;
}
template <auto Member>
std::string show_bool(const LogConfig& c) {
  return c.*Member ? "true" : "false";
}

std::optional<std::string> set_cleanup_policy(LogConfig& c, const std::string& v) {
  // A list: delete, compact, or both in either order (Kafka writes "compact,delete").
  const auto items = config_list_items(v);
  // Every comma separates two items: "compact," has an empty one.
  const bool valid = size_t(std::count(v.begin(), v.end(), ',')) + 1 == items.size() &&
                     std::all_of(items.begin(), items.end(),
                                 [](auto& item) { return item == "delete" || item == "compact"; });
  if (!valid) return "'delete', 'compact' or 'compact,delete'";
  c.cleanup_policy = v;
  return std::nullopt;
}
std::string show_cleanup_policy(const LogConfig& c) {
  return c.cleanup_policy;
}

std::optional<std::string> set_compression_type(LogConfig& c, const std::string& v) {
  static const char* const kCodecs[] = {"producer", "uncompressed", "gzip",
                                        "snappy",   "lz4",          "zstd"};
  if (std::find(std::begin(kCodecs), std::end(kCodecs), v) == std::end(kCodecs))
    return "one of producer, uncompressed, gzip, snappy, lz4, zstd";
  c.compression_type = v;
  return std::nullopt;
}
std::string show_compression_type(const LogConfig& c) {
  return c.compression_type;
}

std::optional<std::string> set_timestamp_type(LogConfig& c, const std::string& v) {
  if (v == "CreateTime") {
    c.timestamp_type = TimestampType::kCreateTime;
  } else if (v == "LogAppendTime") {
    c.timestamp_type = TimestampType::kLogAppendTime;
  } else {
    return "CreateTime or LogAppendTime";
  }
  return std::nullopt;
}
std::string show_timestamp_type(const LogConfig& c) {
  return c.timestamp_type == TimestampType::kLogAppendTime ? "LogAppendTime" : "CreateTime";
}

std::optional<std::string> set_dirty_ratio(LogConfig& c, const std::string& v) {
  try {
    size_t used = 0;
    double d = std::stod(v, &used);
    if (used == v.size() && std::isfinite(d) && d >= 0 && d <= 1) {
      c.min_cleanable_dirty_ratio = d;
      return std::nullopt;
    }
  } catch (const std::exception&) {
  }
  return "a number from 0 to 1";
}
std::string show_dirty_ratio(const LogConfig& c) {
  return fmt::format("{}", c.min_cleanable_dirty_ratio);
}

constexpr int64_t kMax = LogConfig::kNoLimit;
using C = ConfigType;
using L = LogConfig;

// In name order. The broker synonyms are Kafka's.
const Row kRows[] = {
    {{"cleanup.policy", "log.cleanup.policy", C::kList,
      "delete: old segments go by retention; compact: the latest record per key is kept"},
     set_cleanup_policy,
     show_cleanup_policy},
    {{"compression.type", "compression.type", C::kString,
      "producer keeps each batch's codec; a named codec recompresses batches on append"},
     set_compression_type,
     show_compression_type},
    {{"delete.retention.ms", "log.cleaner.delete.retention.ms", C::kLong,
      "how long a compacted topic keeps tombstones"},
     set_integer<&L::delete_retention_ms, 0, kMax>,
     show_integer<&L::delete_retention_ms>},
    {{"file.delete.delay.ms", "log.segment.delete.delay.ms", C::kLong,
      "accepted and shown; segments are removed at once"},
     set_integer<&L::file_delete_delay_ms, 0, kMax>,
     show_integer<&L::file_delete_delay_ms>},
    {{"index.interval.bytes", "log.index.interval.bytes", C::kInt,
      "bytes of log between offset index entries"},
     set_integer<&L::index_interval_bytes, 0, INT32_MAX>,
     show_integer<&L::index_interval_bytes>},
    {{"max.compaction.lag.ms", "log.cleaner.max.compaction.lag.ms", C::kLong,
      "longest a record may stay uncompacted"},
     set_integer<&L::max_compaction_lag_ms, 1, kMax>,
     show_integer<&L::max_compaction_lag_ms>},
    {{"max.message.bytes", "message.max.bytes", C::kInt,
      "largest record batch a producer may send"},
     set_integer<&L::max_message_bytes, 0, INT32_MAX>,
     show_integer<&L::max_message_bytes>},
    {{"message.timestamp.after.max.ms", "log.message.timestamp.after.max.ms", C::kLong,
      "how far ahead of the broker's clock a CreateTime may be"},
     set_integer<&L::timestamp_after_max_ms, 0, kMax>,
     show_integer<&L::timestamp_after_max_ms>},
    {{"message.timestamp.before.max.ms", "log.message.timestamp.before.max.ms", C::kLong,
      "how far behind the broker's clock a CreateTime may be"},
     set_integer<&L::timestamp_before_max_ms, 0, kMax>,
     show_integer<&L::timestamp_before_max_ms>},
    {{"message.timestamp.type", "log.message.timestamp.type", C::kString,
      "CreateTime keeps the producer's timestamps; LogAppendTime stamps the broker's clock"},
     set_timestamp_type,
     show_timestamp_type},
    {{"min.cleanable.dirty.ratio", "log.cleaner.min.cleanable.ratio", C::kDouble,
      "share of a compacted log not yet cleaned before the cleaner runs"},
     set_dirty_ratio,
     show_dirty_ratio},
    {{"min.compaction.lag.ms", "log.cleaner.min.compaction.lag.ms", C::kLong,
      "shortest time a record stays uncompacted"},
     set_integer<&L::min_compaction_lag_ms, 0, kMax>,
     show_integer<&L::min_compaction_lag_ms>},
    {{"min.insync.replicas", "min.insync.replicas", C::kInt,
      "accepted and shown; one node is its only replica"},
     set_integer<&L::min_insync_replicas, 1, INT32_MAX>,
     show_integer<&L::min_insync_replicas>},
    {{"preallocate", "log.preallocate", C::kBoolean, "accepted and shown"},
     set_bool<&L::preallocate>,
     show_bool<&L::preallocate>},
    {{"retention.bytes", "log.retention.bytes", C::kLong,
      "largest a partition may grow before old segments go (-1: no limit)"},
     set_integer<&L::retention_bytes, -1, kMax>,
     show_integer<&L::retention_bytes>},
    {{"retention.ms", "log.retention.ms", C::kLong,
      "how long a segment is kept after its last record (-1: forever)"},
     set_integer<&L::retention_ms, -1, kMax>,
     show_integer<&L::retention_ms>},
    {{"segment.bytes", "log.segment.bytes", C::kInt, "size at which the active segment rolls"},
     set_integer<&L::segment_bytes, 1024, INT32_MAX>,
     show_integer<&L::segment_bytes>},
    {{"segment.index.bytes", "log.index.size.max.bytes", C::kInt,
      "accepted and shown; indexes grow as needed"},
     set_integer<&L::segment_index_bytes, 4, INT32_MAX>,
     show_integer<&L::segment_index_bytes>},
    {{"segment.jitter.ms", "log.roll.jitter.ms", C::kLong, "accepted and shown"},
     set_integer<&L::segment_jitter_ms, 0, kMax>,
     show_integer<&L::segment_jitter_ms>},
    {{"segment.ms", "log.roll.ms", C::kLong, "age at which the active segment rolls"},
     set_integer<&L::segment_ms, 1, kMax>,
     show_integer<&L::segment_ms>},
    {{"unclean.leader.election.enable", "unclean.leader.election.enable", C::kBoolean,
      "accepted and shown; one node has no other replica to elect"},
     set_bool<&L::unclean_leader_election_enable>,
     show_bool<&L::unclean_leader_election_enable>},
};

const std::vector<ConfigDef>& defs() {
  static const std::vector<ConfigDef> all = [] {
    std::vector<ConfigDef> out;
    for (const Row& r : kRows) out.push_back(r.def);
    return out;
  }();
  return all;
}

const Row* find_row(const std::string& name) {
  for (const Row& r : kRows) {
    if (name == r.def.name) return &r;
  }
  return nullptr;
}

}  // namespace

std::span<const ConfigDef> topic_config_defs() {
  return defs();
}

const ConfigDef* find_topic_config(const std::string& name) {
  const Row* r = find_row(name);
  return r ? &r->def : nullptr;
}

const ConfigDef* find_by_broker_synonym(const std::string& broker_name) {
  for (const Row& r : kRows) {
    if (broker_name == r.def.broker_synonym) return &r.def;
  }
  return nullptr;
}

std::optional<std::string> apply_config(LogConfig& config, const std::string& key,
                                        const std::string& value) {
  const Row* row = find_row(key);
  if (!row) {
    std::string names;
    for (const Row& r : kRows) names += (names.empty() ? "" : ", ") + std::string(r.def.name);
    return fmt::format("unknown topic config '{}'; supported: {}", key, names);
  }
  if (auto accepted = row->apply(config, value))
    return fmt::format("{} must be {}, got '{}'", key, *accepted, value);
  return std::nullopt;
}

std::map<std::string, std::string> config_to_map(const LogConfig& config) {
  std::map<std::string, std::string> out;
  for (const Row& r : kRows) out[r.def.name] = r.show(config);
  return out;
}

namespace {

// Calls fn(item) for each non-empty item of a list setting, blanks trimmed,
// until fn returns true; returns whether one did.
template <typename Fn>
bool any_list_item(std::string_view value, Fn&& fn) {
  for (size_t at = 0; at <= value.size();) {
    const size_t comma = std::min(value.find(',', at), value.size());
    std::string_view item = value.substr(at, comma - at);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty() && fn(item)) return true;
    at = comma + 1;
  }
  return false;
}

}  // namespace

std::vector<std::string> config_list_items(std::string_view value) {
  std::vector<std::string> items;
  any_list_item(value, [&](std::string_view item) {
    items.emplace_back(item);
    return false;
  });
  return items;
}

bool has_cleanup_policy(const LogConfig& config, std::string_view policy) {
  return any_list_item(config.cleanup_policy,
                       [&](std::string_view item) { return item == policy; });
}

}  // namespace sluice::broker
