// Partitioned tables. A partition column's value is not stored in the data
// files: it is in the file's `add.partitionValues` (as text, PROTOCOL.md
// "Partition Value Serialization") and, by the convention every engine
// follows, in the file's directory: `col1=v1/col2=v2/part-....parquet`
// (Hive-style, values escaped), with null as `__HIVE_DEFAULT_PARTITION__`.
//
// Paths appear in three forms: the store key of a file (what list() returns),
// the path relative to the table root, and `add.path`, which is that relative
// path as an RFC 2396 URI (PROTOCOL.md "Add File and Remove File"): a
// directory `source=a%2Fb` is `source=a%252Fb` in the log.
//
// Invariant: PartitionLayout::split() followed by table_rows() gives back every
// row unchanged (up to the order of rows), whatever the partition values —
// except that an empty string in a partition column comes back null, as the
// protocol reads "" as null.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lake/delta/actions.h"
#include "lake/delta/table_schema.h"
#include "lake/parquet/file_writer.h"

namespace sluice::lake::delta {

// Hive's name for the directory of a null partition value.
inline constexpr std::string_view kNullPartitionDirectory = "__HIVE_DEFAULT_PARTITION__";
// The longest directory name common file systems accept (S3 keys allow 1024
// bytes in all): a row whose partition directory would be longer is refused.
inline constexpr size_t kMaxDirectoryName = 255;

// Why a table cannot be partitioned by `column` ("is not one of the table's
// columns", ...); empty when it can. Partition columns are string, integer,
// long, date, timestamp or boolean columns of the schema.
std::string partition_column_problem(const TableSchema& schema, const std::string& column);

// A cell as its partition value text; nullopt for null. Throws DeltaError for a
// type that cannot be a partition column.
std::optional<std::string> serialize_partition_value(const parquet::Value& value,
                                                     parquet::Type type);
// The reverse; null and "" (which the protocol reads as null) give a null cell.
// Throws DeltaError naming `column` when the text is not a value of `type`.
parquet::Value parse_partition_value(const std::optional<std::string>& text, parquet::Type type,
                                     const std::string& column);

// Hive's path escaping of one name or value: control characters, DEL and the
// characters " # % ' * / : = ? \ ^ { [ ] as %XX (upper-case hex); everything
// else (UTF-8 included) as is.
std::string escape_path_segment(std::string_view text);
// A relative path as the URI `add.path` holds and back (%XX for every byte
// outside RFC 2396's unreserved and path characters).
std::string path_to_uri(std::string_view path);
std::string path_from_uri(std::string_view uri);

// Where one data file goes: its partition values and their directory.
struct FilePartition {
  PartitionValues values;  // add.partitionValues; empty for an unpartitioned table
  std::string directory;   // relative to the table root: "" or "col1=v1/col2=v2/"
};

// Rows of one partition, holding only the data columns.
struct PartitionGroup {
  FilePartition partition;
  std::vector<parquet::Row> rows;
};

// How a table's rows map to data files: the partition columns (in the table's
// order) go to the path and the log, the other columns into the file.
class PartitionLayout {
 public:
  // Throws DeltaError when a partition column is not a column of `schema`.
  PartitionLayout(TableSchema schema, std::vector<std::string> partition_columns);
  explicit PartitionLayout(const Metadata& metadata);

  bool partitioned() const { return !partition_columns_.empty(); }
  const TableSchema& schema() const { return schema_; }
  // The columns the data files hold: the schema without the partition columns.
  const TableSchema& data_schema() const { return data_schema_; }

  // Groups rows of the table schema by their partition values, in order of first appearance.
  std::vector<PartitionGroup> split(std::vector<parquet::Row> rows) const;
  // The partition of values as written in the log.
  FilePartition partition_of(const PartitionValues& values) const;
  // Why a row of the table schema cannot be written (a partition directory
  // name over kMaxDirectoryName bytes); empty when it can.
  std::string row_problem(const parquet::Row& row) const;
  // Rows of the table schema from the rows of a data file whose columns are
  // `file_fields` and whose add.partitionValues are `values`: data columns
  // matched by name, partition columns parsed from `values`, the rest null.
  std::vector<parquet::Row> table_rows(const std::vector<parquet::Field>& file_fields,
                                       std::vector<parquet::Row> file_rows,
                                       const PartitionValues& values) const;
  // The data columns of a row of the table schema.
  parquet::Row data_row(parquet::Row row) const;

 private:
  PartitionValues values_of(const parquet::Row& row) const;

  TableSchema schema_;
  TableSchema data_schema_;
  std::vector<std::string> partition_columns_;
  std::vector<size_t> partition_index_;  // schema position of each partition column
  std::vector<size_t> data_index_;       // schema position of each data column
};

}  // namespace sluice::lake::delta
