// Reading the table sink's `options:` block. Every problem is a
// std::invalid_argument naming the stage and the option, raised when the
// pipeline starts rather than at the first flush.
#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>
#include <vector>

#include "lake/delta/derived_columns.h"
#include "lake/delta/row_order.h"
#include "lake/delta/table_schema.h"
#include "lake/parquet/file_writer.h"

namespace sluice::stages {

struct TableSinkOptions {
  std::string store;
  std::string table;
  lake::delta::TableSchema columns;
  int64_t file_max_rows = 50000;
  int64_t file_max_bytes = 64 << 20;
  int64_t flush_interval_ms = 2000;
  lake::parquet::WriterOptions writer;
  int checkpoint_interval = 10;
  int optimize_min_files = 0;
  int64_t optimize_target_bytes = 128 << 20;
  std::string unique_key;                 // empty: rows are not deduplicated
  std::vector<std::string> partition_by;  // the table's partition columns, in order; empty: none
  std::vector<lake::delta::DerivedColumn> derived;  // `derive:` columns computed from another
  lake::delta::SortOrder sort_by;  // each file's rows in this order (flushes and optimize)
};

// Every option the table sink understands; anything else is refused by name.
extern const std::set<std::string> kTableSinkOptionNames;

TableSinkOptions read_table_sink_options(const std::string& stage, const YAML::Node& options);

}  // namespace sluice::stages
