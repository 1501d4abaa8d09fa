#include "stages/table_sink/table_sink_options.h"

#include <algorithm>
#include <stdexcept>

#include "lake/delta/partitions.h"
#include "pipeline/config_text.h"
#include "pipeline/processor_options.h"

namespace sluice::stages {
namespace {

struct Reader {
  const std::string& stage;
  const YAML::Node& options;

  [[noreturn]] void fail(const std::string& key, const std::string& why) const {
    throw pipeline::OptionError(key, "stage '" + stage + "': option '" + key + "' " + why);
  }
  std::string text(const std::string& key, const std::string& fallback) const {
    const YAML::Node n = options[key];
    if (!n) return fallback;
    if (!n.IsScalar()) fail(key, "must be a single value");
    return n.Scalar();
  }
  int64_t size(const std::string& key, int64_t fallback) const {
    std::string t = text(key, "");
    if (t.empty()) return fallback;
    auto v = pipeline::parse_size_bytes(t);
    if (!v || *v <= 0)
      fail(key, "must be a size like 65536, 64KiB or 64MiB, not " + pipeline::quote_value(t));
    return *v;
  }
  int64_t count(const std::string& key, int64_t fallback, int64_t lo) const {
    std::string t = text(key, "");
    if (t.empty()) return fallback;
    try {
      size_t used = 0;
      int64_t v = std::stoll(t, &used);
      if (used == t.size() && v >= lo) return v;
    } catch (const std::exception&) {
    }
    fail(key,
         "must be a whole number >= " + std::to_string(lo) + ", not " + pipeline::quote_value(t));
  }
  // A YAML list, or one text value "a", "a,b" or "[a, b]" (how an environment variable gives it).
  std::vector<std::string> names(const std::string& key) const {
    const YAML::Node n = options[key];
    if (!n || n.IsNull()) return {};
    std::vector<std::string> out;
    if (n.IsSequence()) {
      for (const auto& item : n) out.push_back(item.IsScalar() ? item.Scalar() : "");
    } else if (n.IsScalar()) {
      out = split_list_text(n.Scalar());
    }
    if (!n.IsSequence() && !n.IsScalar()) fail(key, "must be a list of column names, e.g. [a, b]");
    if (std::find(out.begin(), out.end(), "") != out.end())
      fail(key, "must not contain empty entries; write a list of column names, e.g. [a, b]");
    return out;
  }
  static std::vector<std::string> split_list_text(std::string_view text) {
    const auto trim = [](std::string_view t) {
      const size_t first = t.find_first_not_of(" \t");
      return first == std::string_view::npos
                 ? std::string()
                 : std::string(t.substr(first, t.find_last_not_of(" \t") + 1 - first));
    };
    std::string list = trim(text);
    if (list.starts_with("[") && list.ends_with("]")) list = trim(list.substr(1, list.size() - 2));
    std::vector<std::string> out;
    if (list.empty()) return out;
    for (size_t start = 0, comma = 0; start <= list.size(); start = comma + 1) {
      comma = std::min(list.find(',', start), list.size());
      out.push_back(trim(std::string_view(list).substr(start, comma - start)));
    }
    return out;
  }
  int64_t duration(const std::string& key, int64_t fallback) const {
    std::string t = text(key, "");
    if (t.empty()) return fallback;
    auto v = pipeline::parse_duration_ms(t);
    if (!v || *v <= 0)
      fail(key, "must be a duration like 500ms, 2s or 1m, not " + pipeline::quote_value(t));
    return *v;
  }
};

lake::delta::TableColumn read_column(const Reader& r, const std::string& name,
                                     const std::string& spec) {
  std::string type = spec;
  bool nullable = true;
  if (const auto at = spec.find(" not null"); at != std::string::npos && at + 9 == spec.size()) {
    type = spec.substr(0, at);
    nullable = false;
  }
  try {
    lake::delta::TableColumn column{name, lake::parquet::Type::kString, nullable};
    lake::delta::parse_column_type(type, column);
    return column;
  } catch (const std::exception& e) {
    r.fail("columns." + name, e.what());
  }
}

// Partition columns must be columns of the table whose values Delta can write
// as text (see `columns`), each named once. The unique key cannot be one: a column with a
// different value in every row would make a directory and a file per row.
std::vector<std::string> read_partition_by(const Reader& r, const TableSinkOptions& o) {
  std::vector<std::string> columns = r.names("partition_by");
  for (size_t i = 0; i < columns.size(); ++i) {
    const std::string& c = columns[i];
    if (std::string problem = lake::delta::partition_column_problem(o.columns, c); !problem.empty())
      r.fail("partition_by", "names '" + c + "', which " + problem);
    if (std::find(columns.begin(), columns.begin() + long(i), c) != columns.begin() + long(i))
      r.fail("partition_by", "names column '" + c + "' twice");
    if (c == o.unique_key)
      r.fail("partition_by", "cannot include '" + c + "', the unique_key column");
  }
  return columns;
}

// Sort columns are columns of the files: not partition columns (a file holds
// one value of each, and not the column), each named once.
lake::delta::SortOrder read_sort_by(const Reader& r, const TableSinkOptions& o) {
  lake::delta::SortOrder columns = r.names("sort_by");
  for (size_t i = 0; i < columns.size(); ++i) {
    const std::string& c = columns[i];
    const bool known = std::any_of(o.columns.begin(), o.columns.end(),
                                   [&](const auto& column) { return column.name == c; });
    if (!known) r.fail("sort_by", "names '" + c + "', which is not one of `columns`");
    if (std::find(o.partition_by.begin(), o.partition_by.end(), c) != o.partition_by.end())
      r.fail("sort_by", "names '" + c + "', a partition column: a file holds one value of it");
    if (std::find(columns.begin(), columns.begin() + long(i), c) != columns.begin() + long(i))
      r.fail("sort_by", "names column '" + c + "' twice");
  }
  return columns;
}

// `derive: {name: fn(column), ...}`: columns computed from another one (derived_columns.h).
std::vector<lake::delta::DerivedColumn> read_derive(const Reader& r, const TableSinkOptions& o) {
  const YAML::Node n = r.options["derive"];
  if (!n || n.IsNull()) return {};
  if (!n.IsMap())
    r.fail("derive", "must be a mapping of column to fn(COLUMN), e.g. {hour: hour(event_time)}");
  std::vector<lake::delta::DerivedColumn> out;
  for (const auto& kv : n) {
    const std::string name = kv.first.Scalar();
    lake::delta::DerivedColumn d;
    if (!kv.second.IsScalar())
      r.fail("derive." + name, "must be fn(COLUMN), e.g. hour(event_time)");
    if (std::string problem =
            lake::delta::read_derived_column(o.columns, name, kv.second.Scalar(), d);
        !problem.empty())
      r.fail("derive." + name, problem);
    out.push_back(d);
  }
  return out;
}

}  // namespace

const std::set<std::string> kTableSinkOptionNames = {"store",
                                                     "table",
                                                     "columns",
                                                     "file_max_rows",
                                                     "file_max_bytes",
                                                     "flush_interval_ms",
                                                     "codec",
                                                     "checkpoint_interval",
                                                     "optimize_min_files",
                                                     "optimize_target_bytes",
                                                     "unique_key",
                                                     "partition_by",
                                                     "derive",
                                                     "sort_by"};

TableSinkOptions read_table_sink_options(const std::string& stage, const YAML::Node& options) {
  Reader r{stage, options};
  TableSinkOptions o;
  o.store = r.text("store", "");
  o.table = r.text("table", "");
  if (o.store.empty())
    r.fail("store", "is required: the object store URL, e.g. /var/lib/sluice/lake or s3://bucket");
  if (o.table.empty())
    r.fail("table", "is required: the table's path in the store, e.g. tables/attachments");
  const YAML::Node cols = options["columns"];
  if (!cols || !cols.IsMap() || cols.size() == 0) {
    r.fail("columns",
           "is required: a mapping of column name to type, e.g. {claim_id: string not null, size: "
           "long}");
  }
  for (const auto& kv : cols)
    o.columns.push_back(read_column(r, kv.first.Scalar(), kv.second.Scalar()));
  o.file_max_rows = r.count("file_max_rows", o.file_max_rows, 1);
  o.file_max_bytes = r.size("file_max_bytes", o.file_max_bytes);
  o.flush_interval_ms = r.duration("flush_interval_ms", o.flush_interval_ms);
  const std::string codec = r.text("codec", "snappy");
  if (codec == "snappy") {
    o.writer.codec = lake::parquet::Codec::kSnappy;
  } else if (codec == "zstd") {
    o.writer.codec = lake::parquet::Codec::kZstd;
  } else if (codec == "none") {
    o.writer.codec = lake::parquet::Codec::kUncompressed;
  } else {
    r.fail("codec", "must be snappy, zstd or none, not " + pipeline::quote_value(codec));
  }
  o.checkpoint_interval = int(r.count("checkpoint_interval", o.checkpoint_interval, 1));
  o.optimize_min_files = int(r.count("optimize_min_files", o.optimize_min_files, 0));
  o.optimize_target_bytes = r.size("optimize_target_bytes", o.optimize_target_bytes);
  o.unique_key = r.text("unique_key", "");
  o.partition_by = read_partition_by(r, o);
  o.derived = read_derive(r, o);
  o.sort_by = read_sort_by(r, o);
  return o;
}

}  // namespace sluice::stages
