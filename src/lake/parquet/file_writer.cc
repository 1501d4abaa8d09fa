// FileWriter: row groups of column chunks, closed by size, then the footer
// (FileMetaData, its length, "PAR1"). The whole file is built in memory.
#include "lake/parquet/file_writer.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <thread>

#include "lake/parquet/column_writer.h"
#include "lake/parquet/metadata.h"
#include "lake/parquet/schema.h"
#include "lake/parquet/shredder.h"

namespace sluice::lake::parquet {
namespace {

constexpr char kMagic[] = "PAR1";
// add_columns() checks the row-group size after this many rows of every column,
// threaded or not (so the file does not depend on the thread count); large
// enough that each hand-off to the threads carries real work.
constexpr size_t kBatchSlice = 65536;

void check_options(const WriterOptions& o) {
  if (o.threads < 1 || o.threads > 64) throw ParquetError("threads must be within [1, 64]");
  if (o.row_group_bytes <= 0 || o.page_bytes <= 0)
    throw ParquetError("row_group_bytes and page_bytes must be positive");
  // Dictionary offsets are 32-bit; a dictionary this large would never pay off anyway.
  if (o.dictionary_bytes < 0 || o.dictionary_bytes > (int64_t(1) << 30)) {
    throw ParquetError("dictionary_bytes must be within [0, 1 GiB]");
  }
}

ColumnView::Kind view_kind(Type t) {
  switch (t) {
    case Type::kBoolean:
      return ColumnView::Kind::kBool;
    case Type::kInt32:
    case Type::kDate:
      return ColumnView::Kind::kInt32;
    case Type::kInt64:
    case Type::kTimestampMicros:
    case Type::kDecimal:
      return ColumnView::Kind::kInt64;
    case Type::kFloat:
      return ColumnView::Kind::kFloat;
    case Type::kDouble:
      return ColumnView::Kind::kDouble;
    case Type::kString:
    case Type::kBinary:
      return ColumnView::Kind::kBytes;
  }
  return ColumnView::Kind::kBytes;
}

template <typename T>
void append_slice(ColumnWriter& c, const ColumnView& v, size_t begin, size_t n) {
  c.append_flat(static_cast<const T*>(v.data) + begin, v.valid ? v.valid + begin : nullptr, n);
}

void append_view(ColumnWriter& c, const ColumnView& v, size_t begin, size_t n) {
  switch (v.kind) {
    case ColumnView::Kind::kBool:
      return append_slice<bool>(c, v, begin, n);
    case ColumnView::Kind::kInt32:
      return append_slice<int32_t>(c, v, begin, n);
    case ColumnView::Kind::kInt64:
      return append_slice<int64_t>(c, v, begin, n);
    case ColumnView::Kind::kFloat:
      return append_slice<float>(c, v, begin, n);
    case ColumnView::Kind::kDouble:
      return append_slice<double>(c, v, begin, n);
    case ColumnView::Kind::kBytes:
      return append_slice<std::string_view>(c, v, begin, n);
  }
}

}  // namespace

struct FileWriter::Impl {
  Schema schema;
  WriterOptions options;
  PageCompressor compressor;
  std::vector<std::unique_ptr<PageCompressor>>
      thread_compressors;  // add_columns workers 1..threads-1
  std::vector<ColumnWriter> columns;
  Shredder shredder;
  std::string file = kMagic;
  std::vector<meta::RowGroup> row_groups;
  int64_t rows = 0, group_rows = 0;
  bool finished = false;
  std::vector<ColumnStats> stats;

  Impl(std::vector<Field> fields, WriterOptions o)
      : schema(build_schema(std::move(fields))),
        options(std::move(o)),
        compressor(options.codec),
        shredder(schema, columns) {
    check_options(options);
    columns.reserve(schema.leaves.size());
    for (const auto& leaf : schema.leaves) columns.emplace_back(leaf, options, compressor);
    for (int t = 1; t < options.threads; ++t)
      thread_compressors.push_back(std::make_unique<PageCompressor>(options.codec));
  }

  // Appends rows [begin, begin + n) of every view; columns are independent, so
  // threads take whole columns and each column sees the same calls as serially.
  void append_parallel(const std::vector<ColumnView>& views, size_t begin, size_t n) {
    std::atomic<size_t> next{0};
    std::exception_ptr error;
    std::atomic<bool> failed{false};
    const auto work = [&](PageCompressor& c) {
      try {
        for (size_t i; (i = next.fetch_add(1)) < views.size();) {
          columns[i].use_compressor(c);
          append_view(columns[i], views[i], begin, n);
        }
      } catch (...) {
        if (!failed.exchange(true)) error = std::current_exception();
      }
    };
    std::vector<std::jthread> helpers;
    for (auto& c : thread_compressors) helpers.emplace_back([&work, &c] { work(*c); });
    work(compressor);
    helpers.clear();  // joins
    for (auto& c : columns) c.use_compressor(compressor);
    if (error) std::rethrow_exception(error);
  }

  void check_open() const {
    if (finished) throw ParquetError("the file is finished");
  }

  int64_t open_bytes() const {
    int64_t n = 0;
    for (const auto& c : columns) n += c.buffered_bytes();
    return n;
  }

  // Grows the file geometrically, so appending row groups stays linear.
  void reserve_for(int64_t more) {
    const size_t need = file.size() + size_t(more);
    if (need > file.capacity()) file.reserve(std::max(need, file.capacity() * 3 / 2));
  }

  void close_row_group() {
    reserve_for(open_bytes());
    meta::RowGroup g;
    g.num_rows = group_rows;
    g.file_offset = int64_t(file.size());
    g.ordinal = int16_t(row_groups.size());
    int64_t compressed = 0;
    for (auto& c : columns) {
      g.columns.push_back(c.flush_chunk(file));
      g.total_byte_size += g.columns.back().meta_data->total_uncompressed_size;
      compressed += g.columns.back().meta_data->total_compressed_size;
    }
    g.total_compressed_size = compressed;
    row_groups.push_back(std::move(g));
    group_rows = 0;
  }

  void rows_added(int64_t n) {
    rows += n;
    group_rows += n;
    if (open_bytes() >= options.row_group_bytes) close_row_group();
  }

  void check_views(size_t n, const std::vector<ColumnView>& views) const {
    if (views.size() != schema.top.size())
      throw ParquetError("add_columns needs one view per field");
    for (size_t i = 0; i < views.size(); ++i) {
      const Node& node = schema.nodes[size_t(schema.top[i])];
      if (node.kind != Field::Kind::kLeaf)
        throw ParquetError("add_columns: field '" + node.path + "' is nested");
      if (views[i].kind != view_kind(node.type))
        throw ParquetError("add_columns: wrong view kind for '" + node.path + "'");
      if (!views[i].data && n > 0)
        throw ParquetError("add_columns: no data for '" + node.path + "'");
      if (node.optional || !views[i].valid) continue;
      for (size_t r = 0; r < n; ++r) {
        if (!views[i].valid[r])
          throw ParquetError("field '" + node.path + "': null in a required field");
      }
    }
  }

  std::string footer() const {
    meta::FileMetaData m;
    m.schema = to_schema_elements(schema);
    m.num_rows = rows;
    m.row_groups = row_groups;
    for (const auto& [k, v] : options.key_value_metadata) m.key_value_metadata.push_back({k, v});
    m.created_by = "sluice version 0.1.0";
    m.column_orders.assign(schema.leaves.size(), meta::ColumnOrder{meta::kTypeOrder});
    std::string out;
    meta::encode(m, out);
    return out;
  }

  void collect_stats() {
    for (size_t i = 0; i < columns.size(); ++i) {
      const ColumnStatistics& s = columns[i].file_stats();
      stats.push_back(ColumnStats{schema.leaves[i].path, s.null_count(), s.min(), s.max()});
    }
  }
};

FileWriter::FileWriter(std::vector<Field> schema, WriterOptions options)
    : impl_(std::make_unique<Impl>(std::move(schema), std::move(options))) {}

FileWriter::~FileWriter() = default;

void FileWriter::add_row(const Row& row) {
  impl_->check_open();
  impl_->shredder.check(row);
  impl_->shredder.shred(row);
  impl_->rows_added(1);
}

void FileWriter::add_columns(size_t rows, const std::vector<ColumnView>& columns) {
  impl_->check_open();
  impl_->check_views(rows, columns);
  const bool threaded = !impl_->thread_compressors.empty() && columns.size() > 1;
  for (size_t begin = 0; begin < rows; begin += kBatchSlice) {
    const size_t n = std::min(kBatchSlice, rows - begin);
    if (threaded) {
      impl_->append_parallel(columns, begin, n);
    } else {
      for (size_t i = 0; i < columns.size(); ++i)
        append_view(impl_->columns[i], columns[i], begin, n);
    }
    impl_->rows_added(int64_t(n));
  }
}

int64_t FileWriter::rows() const {
  return impl_->rows;
}

int64_t FileWriter::estimated_bytes() const {
  return int64_t(impl_->file.size()) + impl_->open_bytes();
}

std::string FileWriter::finish() {
  impl_->check_open();
  if (impl_->group_rows > 0) impl_->close_row_group();
  impl_->finished = true;
  const std::string footer = impl_->footer();
  std::string file = std::move(impl_->file);
  file.append(footer);
  const uint32_t len = uint32_t(footer.size());
  file.append(reinterpret_cast<const char*>(&len), 4);
  file.append(kMagic, 4);
  impl_->collect_stats();
  return file;
}

std::vector<ColumnStats> FileWriter::stats() const {
  return impl_->stats;
}

}  // namespace sluice::lake::parquet
