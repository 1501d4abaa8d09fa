#include "lake/delta/data_file.h"

#include "common/clock.h"
#include "common/iso8601.h"
#include "common/json.h"
#include "common/random_id.h"
#include "lake/delta/delta_error.h"
#include "lake/delta/time_text.h"
#include "lake/parquet/file_reader.h"

namespace sluice::lake::delta {
namespace {

using parquet::Type;
using parquet::Value;

// Longer strings get no min/max: a truncated max would be wrong, and Delta
// readers treat a missing bound as "unknown", which is always safe.
constexpr size_t kMaxStatString = 32;

// Writes `v` as the stats value of a column of `type`; false when it has none.
bool write_stat(json::JsonWriter& w, const std::string& name, Type type, const Value& v) {
  // Decimals get none: their bounds would need the scale, and none is always safe.
  if (v.is_null() || type == Type::kBinary || type == Type::kDecimal) return false;
  if (const auto* s = std::get_if<std::string>(&v.v)) {
    if (s->size() > kMaxStatString) return false;
    w.field(name, *s);
  } else if (const auto* i64 = std::get_if<int64_t>(&v.v)) {
    type == Type::kTimestampMicros ? w.field(name, format_timestamp_iso_millis(*i64))
                                   : w.field(name, *i64);
  } else if (const auto* i32 = std::get_if<int32_t>(&v.v)) {
    type == Type::kDate ? w.field(name, format_iso_date(*i32)) : w.field(name, int64_t(*i32));
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
                        const parquet::WriterOptions& options, bool data_change,
                        const FilePartition& partition, const SortOrder& sort_by,
                        int compaction_level) {
  parquet::FileWriter writer(to_parquet_fields(schema), options);
  for (const parquet::Row* row : rows_in_order(schema, rows, sort_by)) writer.add_row(*row);
  const std::string bytes = writer.finish();
  AddFile add;
  const char* codec = options.codec == parquet::Codec::kSnappy ? "snappy."
                      : options.codec == parquet::Codec::kZstd ? "zstd."
                                                               : "";
  const std::string level =
      compaction_level > 0 ? "L" + std::to_string(compaction_level) + "." : "";
  const std::string path =
      partition.directory + "part-00000-" + random_uuid() + "-c000." + level + codec + "parquet";
  log.store().put(log.key(path), bytes);
  add.path = path_to_uri(path);
  add.partition_values = partition.values;
  add.size = int64_t(bytes.size());
  add.modification_time = now_ms();
  add.data_change = data_change;
  add.stats = stats_json(schema, int64_t(rows.size()), writer.stats());
  return add;
}

std::vector<parquet::Row> read_data_file(const DeltaLog& log, const PartitionLayout& layout,
                                         const AddFile& file) {
  auto bytes = log.store().get(log.data_file_key(file.path));
  if (!bytes) {
    throw DeltaError("live file " + file.path + " is missing from " + log.store().url() +
                     "; the table is damaged — restore the file from a backup");
  }
  parquet::FileReader reader(std::move(*bytes));
  return layout.table_rows(reader.schema(), reader.read_all(), file.partition_values);
}

int compaction_level(const std::string& path) {
  const size_t name = path.rfind('/') + 1;  // npos + 1 == 0: no directory
  const size_t at = path.find("-c000.L", name);
  if (at == std::string::npos) return 0;
  int level = 0;
  for (size_t i = at + 7; i < path.size() && path[i] >= '0' && path[i] <= '9' && level < 1000; ++i)
    level = level * 10 + (path[i] - '0');
  return level;
}

}  // namespace sluice::lake::delta
