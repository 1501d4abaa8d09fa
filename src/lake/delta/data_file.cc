#include "lake/delta/data_file.h"

#include <ctime>

#include "common/clock.h"
#include "common/json.h"
#include "common/random_id.h"

namespace sluice::lake::delta {
namespace {

using parquet::Type;
using parquet::Value;

// Longer strings get no min/max: a truncated max would be wrong, and Delta
// readers treat a missing bound as "unknown", which is always safe.
constexpr size_t kMaxStatString = 32;

std::string iso_timestamp(int64_t micros) {
  std::time_t secs = std::time_t(micros >= 0 ? micros / 1000000 : (micros - 999999) / 1000000);
  int64_t millis = (micros - int64_t(secs) * 1000000) / 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(millis));
  return buf;
}

std::string iso_date(int32_t days) {
  std::time_t secs = std::time_t(days) * 86400;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

// Writes `v` as the stats value of a column of `type`; false when it has none.
bool write_stat(json::JsonWriter& w, const std::string& name, Type type, const Value& v) {
  if (v.is_null() || type == Type::kBinary) return false;
  if (const auto* s = std::get_if<std::string>(&v.v)) {
    if (s->size() > kMaxStatString) return false;
    w.field(name, *s);
  } else if (const auto* i64 = std::get_if<int64_t>(&v.v)) {
    type == Type::kTimestampMicros ? w.field(name, iso_timestamp(*i64)) : w.field(name, *i64);
  } else if (const auto* i32 = std::get_if<int32_t>(&v.v)) {
    type == Type::kDate ? w.field(name, iso_date(*i32)) : w.field(name, int64_t(*i32));
  } else if (const auto* d = std::get_if<double>(&v.v)) {
    w.field(name, *d);
  } else if (const auto* f = std::get_if<float>(&v.v)) {
    w.field(name, double(*f));
  } else {
    return false;  // booleans have no useful bounds
  }
  return true;
}

void write_bounds(json::JsonWriter& w, const char* key, const TableSchema& schema,
                  const std::vector<parquet::ColumnStats>& stats, bool max) {
  w.key(key).begin_object();
  for (size_t i = 0; i < schema.size() && i < stats.size(); ++i) {
    const auto& bound = max ? stats[i].max : stats[i].min;
    if (bound) write_stat(w, schema[i].name, schema[i].type, *bound);
  }
  w.end_object();
}

}  // namespace

std::string stats_json(const TableSchema& schema, int64_t rows,
                       const std::vector<parquet::ColumnStats>& stats) {
  json::JsonWriter w;
  w.begin_object().field("numRecords", rows);
  write_bounds(w, "minValues", schema, stats, false);
  write_bounds(w, "maxValues", schema, stats, true);
  w.key("nullCount").begin_object();
  for (size_t i = 0; i < schema.size() && i < stats.size(); ++i)
    w.field(schema[i].name, stats[i].null_count);
  w.end_object().end_object();
  return w.str();
}

AddFile write_data_file(DeltaLog& log, const TableSchema& schema,
                        const std::vector<parquet::Row>& rows,
                        const parquet::WriterOptions& options, bool data_change) {
  parquet::FileWriter writer(to_parquet_fields(schema), options);
  for (const auto& row : rows) writer.add_row(row);
  const std::string bytes = writer.finish();
  AddFile add;
  const char* codec = options.codec == parquet::Codec::kSnappy ? "snappy."
                      : options.codec == parquet::Codec::kZstd ? "zstd."
                                                               : "";
  add.path = "part-00000-" + random_uuid() + "-c000." + codec + "parquet";
  log.store().put(log.key(add.path), bytes);
  add.size = int64_t(bytes.size());
  add.modification_time = now_ms();
  add.data_change = data_change;
  add.stats = stats_json(schema, int64_t(rows.size()), writer.stats());
  return add;
}

}  // namespace sluice::lake::delta
