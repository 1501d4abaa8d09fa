// FileReader: footer, schema, then each row group's chunks through
// read_column_chunk() and Assembler (see file_reader.h).
#include "lake/parquet/file_reader.h"

#include <cstring>

#include "lake/parquet/assembler.h"
#include "lake/parquet/column_reader.h"
#include "lake/parquet/metadata.h"
#include "lake/parquet/schema.h"

namespace sluice::lake::parquet {
namespace {

constexpr size_t kMagicSize = 4;
constexpr size_t kTrailerSize = 8;  // footer length + "PAR1"

}  // namespace

struct FileReader::Impl {
  std::string data;
  std::string_view body;  // the file without footer and trailer
  meta::FileMetaData meta;
  Schema schema;
  std::map<std::string, std::string> key_values;

  explicit Impl(std::string bytes) : data(std::move(bytes)) {
    parse_footer();
    schema = build_schema(from_schema_elements(meta.schema));
    if (meta.num_rows < 0) throw ParquetError("negative row count");
    for (const auto& g : meta.row_groups) check_row_group(g);
    for (const auto& kv : meta.key_value_metadata) key_values[kv.key] = kv.value.value_or("");
  }

  void parse_footer() {
    if (data.size() < kMagicSize + kTrailerSize) throw ParquetError("file too short to be Parquet");
    if (data.compare(0, 4, "PAR1") != 0 || data.compare(data.size() - 4, 4, "PAR1") != 0) {
      throw ParquetError("not a Parquet file (bad magic)");
    }
    uint32_t footer_len;
    std::memcpy(&footer_len, data.data() + data.size() - kTrailerSize, 4);
    if (footer_len > data.size() - kMagicSize - kTrailerSize)
      throw ParquetError("footer length exceeds the file");
    const size_t footer_start = data.size() - kTrailerSize - footer_len;
    meta = meta::decode_file_metadata(std::string_view(data).substr(footer_start, footer_len));
    body = std::string_view(data).substr(0, footer_start);
  }

  void check_row_group(const meta::RowGroup& g) const {
    if (g.columns.size() != schema.leaves.size())
      throw ParquetError("row group has the wrong number of columns");
    if (g.num_rows < 0) throw ParquetError("negative row group size");
    for (size_t i = 0; i < g.columns.size(); ++i) {
      const auto& m = g.columns[i].meta_data;
      if (!m || m->path != schema.leaves[i].path_in_schema) {
        throw ParquetError("column chunk " + std::to_string(i) + " does not match the schema");
      }
    }
  }

  // The flat top-level column `column` and its chunk index; nullptr when there is none.
  const Leaf* flat_leaf(const std::string& column, size_t& index) const;

  void read_group(const meta::RowGroup& g, std::vector<Row>& rows) const {
    std::vector<ColumnData> columns;
    columns.reserve(g.columns.size());
    for (size_t i = 0; i < g.columns.size(); ++i) {
      columns.push_back(read_column_chunk(body, g.columns[i], schema.leaves[i]));
    }
    Assembler(schema, columns).read_rows(g.num_rows, rows);
  }
};

FileReader::FileReader(std::string data) : impl_(std::make_unique<Impl>(std::move(data))) {}
FileReader::~FileReader() = default;

const std::vector<Field>& FileReader::schema() const {
  return impl_->schema.fields;
}
int64_t FileReader::num_rows() const {
  return impl_->meta.num_rows;
}
int64_t FileReader::num_row_groups() const {
  return int64_t(impl_->meta.row_groups.size());
}
const std::map<std::string, std::string>& FileReader::key_value_metadata() const {
  return impl_->key_values;
}

std::vector<Row> FileReader::read_all() const {
  std::vector<Row> rows;
  for (const auto& g : impl_->meta.row_groups) impl_->read_group(g, rows);
  return rows;
}

ChunkBounds FileReader::bounds(int64_t group, const std::string& column) const {
  const auto& g = impl_->meta.row_groups.at(size_t(group));
  const auto& leaves = impl_->schema.leaves;
  for (size_t i = 0; i < leaves.size(); ++i) {
    // Only a flat column's bounds describe its values one to one.
    if (leaves[i].path_in_schema.size() != 1 || leaves[i].path_in_schema[0] != column) continue;
    const auto& stats = g.columns[i].meta_data->statistics;
    if (!stats) return {};
    return {stats->min_value, stats->max_value};
  }
  return {};
}

void FileReader::read_row_group(int64_t group, std::vector<Row>& out) const {
  impl_->read_group(impl_->meta.row_groups.at(size_t(group)), out);
}

const Leaf* FileReader::Impl::flat_leaf(const std::string& column, size_t& index) const {
  for (size_t i = 0; i < schema.leaves.size(); ++i) {
    const Leaf& leaf = schema.leaves[i];
    if (leaf.path_in_schema.size() != 1 || leaf.path_in_schema[0] != column) continue;
    if (leaf.max_rep != 0) return nullptr;  // a repeated column has no value per row
    index = i;
    return &leaf;
  }
  return nullptr;
}

std::optional<std::vector<Value>> FileReader::read_column(int64_t group,
                                                          const std::string& column) const {
  const auto& g = impl_->meta.row_groups.at(size_t(group));
  size_t i = 0;
  const Leaf* leaf = impl_->flat_leaf(column, i);
  if (!leaf) return std::nullopt;
  ColumnData data = read_column_chunk(impl_->body, g.columns[i], *leaf);
  if (int64_t(data.defs.size()) != g.num_rows)
    throw ParquetError("column " + column + " holds " + std::to_string(data.defs.size()) +
                       " entries in a row group of " + std::to_string(g.num_rows) + " rows");
  // A required column holds one value per row already: no second pass over the cells.
  if (leaf->max_def == 0 && int64_t(data.values.size()) == g.num_rows)
    return std::move(data.values);
  std::vector<Value> out(size_t(g.num_rows));
  size_t next = 0;
  for (size_t row = 0; row < out.size(); ++row)
    if (data.defs[row] == leaf->max_def) out[row] = std::move(data.values.at(next++));
  return out;
}

std::optional<TypedColumn> FileReader::read_typed_column(int64_t group,
                                                         const std::string& column) const {
  const auto& g = impl_->meta.row_groups.at(size_t(group));
  size_t i = 0;
  const Leaf* leaf = impl_->flat_leaf(column, i);
  if (!leaf) return std::nullopt;
  return TypedColumn::read(impl_->body, g.columns[i], *leaf, g.num_rows);
}

}  // namespace sluice::lake::parquet
