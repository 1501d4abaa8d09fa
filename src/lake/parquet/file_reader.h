// Reads a Parquet file written by FileWriter (and files of the same shape:
// v1 data pages, PLAIN / RLE_DICTIONARY values, RLE levels, uncompressed,
// snappy or zstd pages) back into its schema and rows. The Delta layer reads
// its checkpoints with it; the query API (src/serve) reads only the row groups
// whose min/max statistics can hold what it looks for.
//
// Invariant: any input, however malformed or truncated, either parses or
// throws ParquetError; nothing is read outside the given bytes.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lake/parquet/file_writer.h"
#include "lake/parquet/typed_column.h"

namespace sluice::lake::parquet {

// A row group's min/max statistics of one column as the file stores them:
// PLAIN bytes (little-endian numbers, the raw bytes of strings). Absent when
// the writer stored none, which means "could hold anything".
struct ChunkBounds {
  std::optional<std::string> min, max;
};

class FileReader {
 public:
  // Parses the footer; throws ParquetError if the file is not one we can read.
  explicit FileReader(std::string data);
  ~FileReader();
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  const std::vector<Field>& schema() const;
  int64_t num_rows() const;
  int64_t num_row_groups() const;
  const std::map<std::string, std::string>& key_value_metadata() const;
  // Decodes every row group; throws ParquetError on malformed pages.
  std::vector<Row> read_all() const;
  // The statistics of top-level column `column` in row group `group`; empty
  // bounds for an unknown column or a chunk without statistics.
  ChunkBounds bounds(int64_t group, const std::string& column) const;
  // Decodes one row group (0 <= group < num_row_groups()) and appends its rows.
  void read_row_group(int64_t group, std::vector<Row>& out) const;
  // Decodes one flat top-level column of a row group alone: one Value per row
  // (null where the row has none), so a reader can filter on a column before
  // decoding the others. nullopt when the file has no such flat column.
  std::optional<std::vector<Value>> read_column(int64_t group, const std::string& column) const;
  // The same column as typed arrays (typed_column.h), for filtering and
  // aggregating without a Value per cell; nullopt as for read_column.
  std::optional<TypedColumn> read_typed_column(int64_t group, const std::string& column) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::lake::parquet
