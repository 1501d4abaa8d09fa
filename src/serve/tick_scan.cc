// TickScan: the three pruning steps of tick_scan.h, then an exact filter.
#include "serve/tick_scan.h"

#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <tuple>

#include "lake/delta/delta_error.h"
#include "lake/delta/time_text.h"
#include "lake/parquet/file_reader.h"

namespace sluice::serve {
namespace {

using lake::parquet::FileReader;
using lake::parquet::Row;
using lake::parquet::Type;
using lake::parquet::TypedColumn;
using lake::parquet::Value;

constexpr int64_t kDayUs = 86'400'000'000;

// Does [lo, hi] (either end unknown) overlap [from, to)?
bool overlaps(std::optional<int64_t> lo, std::optional<int64_t> hi, int64_t from, int64_t to) {
  return !((hi && *hi < from) || (lo && *lo >= to));
}

// Can a chunk whose strings lie in [lo, hi] hold `want`?
bool may_hold(const std::optional<std::string>& lo, const std::optional<std::string>& hi,
              const std::string& want) {
  return !((lo && want < *lo) || (hi && want > *hi));
}

std::optional<int64_t> plain_int64(const std::optional<std::string>& bytes) {
  if (!bytes || bytes->size() != 8) return std::nullopt;
  int64_t v;
  std::memcpy(&v, bytes->data(), 8);  // PLAIN is little-endian, as every host we build for
  return v;
}

// Runs work(i) for every i in [0, n) on up to kScanThreads threads (this one and
// helpers started here), each i exactly once; rethrows the first exception after
// all threads have stopped (the others then take no new i).
void parallel_for(size_t n, const std::function<void(size_t)>& work) {
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::exception_ptr error;
  auto loop = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) {
      try {
        work(i);
      } catch (...) {
        std::lock_guard lock(mu);
        if (!error) error = std::current_exception();
        next = n;
      }
    }
  };
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < kScanThreads && t < n; ++t) helpers.emplace_back(loop);
  loop();
  for (auto& h : helpers) h.join();
  if (error) std::rethrow_exception(error);
}

// Is column `name` part of the answer to `q` (TickQuery::columns)?
bool wanted(const TickQuery& q, const std::string& name) {
  return !q.columns || std::find(q.columns->begin(), q.columns->end(), name) != q.columns->end();
}

}  // namespace

double cell_number(const Value& v, const lake::delta::TableColumn& column) {
  if (const auto* d = std::get_if<double>(&v.v)) return *d;
  if (const auto* f = std::get_if<float>(&v.v)) return *f;
  if (const auto* i = std::get_if<int32_t>(&v.v)) return *i;
  if (const auto* l = std::get_if<int64_t>(&v.v))
    return column.type == Type::kDecimal ? double(*l) / std::pow(10.0, column.scale) : double(*l);
  return NAN;
}

TickScan::TickScan(const lake::delta::TableState& state, TickColumns columns, FileCache* cache)
    : state_(state), columns_(std::move(columns)), cache_(cache), layout_(state.metadata) {
  // Checked now, so a wrong column name fails at startup, not on the first query.
  symbol_ = column_index(columns_.symbol);
  exchange_ = column_index(columns_.exchange);
  time_ = column_index(columns_.time);
  sequence_ = column_index(columns_.sequence);
  price_ = column_index(columns_.price);
  volume_ = column_index(columns_.volume);
  for (const auto& c : state.metadata.partition_columns)
    if (c == columns_.date) date_partitioned_ = true;
}

size_t TickScan::column_index(const std::string& name) const {
  const auto& schema = layout_.schema();
  for (size_t i = 0; i < schema.size(); ++i)
    if (schema[i].name == name) return i;
  std::string names;
  for (const auto& c : schema) names += (names.empty() ? "" : ", ") + c.name;
  throw std::runtime_error("the table has no column '" + name + "' (its columns: " + names +
                           "); name the right one with the matching --*-column flag of "
                           "`sluice serve`");
}

bool TickScan::partition_excludes(const lake::delta::AddFile& file, const TickQuery& q) const {
  auto value = [&](const std::string& column) -> std::optional<std::string> {
    auto it = file.partition_values.find(column);
    return it == file.partition_values.end() ? std::nullopt : it->second;
  };
  if (q.symbol) {
    if (auto v = value(columns_.symbol); v && *v != *q.symbol) return true;
  }
  if (q.exchange) {
    if (auto v = value(columns_.exchange); v && *v != *q.exchange) return true;
  }
  if (date_partitioned_) {
    if (auto v = value(columns_.date)) {
      if (auto days = lake::delta::parse_date(*v)) {
        const int64_t start = int64_t(*days) * kDayUs;
        if (!overlaps(start, start + kDayUs - 1, q.from_us, q.to_us)) return true;
      }
    }
  }
  return false;
}

bool TickScan::stats_exclude(const lake::delta::AddFile& file, const TickQuery& q) const {
  if (file.stats.empty()) return false;
  simdjson::dom::parser parser;
  simdjson::dom::element stats;
  if (parser.parse(file.stats).get(stats) != simdjson::SUCCESS) return false;
  auto text = [&](const char* bound, const std::string& column) -> std::optional<std::string> {
    std::string_view v;
    if (stats.at_key(bound).at_key(column).get(v) != simdjson::SUCCESS) return std::nullopt;
    return std::string(v);
  };
  if (q.symbol &&
      !may_hold(text("minValues", columns_.symbol), text("maxValues", columns_.symbol), *q.symbol))
    return true;
  if (q.exchange && !may_hold(text("minValues", columns_.exchange),
                              text("maxValues", columns_.exchange), *q.exchange))
    return true;
  auto micros = [&](const char* bound) -> std::optional<int64_t> {
    auto t = text(bound, columns_.time);
    return t ? lake::delta::parse_timestamp_micros(*t) : std::nullopt;
  };
  // Delta keeps timestamp bounds in milliseconds: the max is truncated, so the
  // file may hold values up to 999 µs past it.
  auto hi = micros("maxValues");
  if (hi) *hi += 999;
  return !overlaps(micros("minValues"), hi, q.from_us, q.to_us);
}

std::shared_ptr<const FileReader> TickScan::open(const lake::delta::DeltaLog& log,
                                                 const lake::delta::AddFile& file,
                                                 ScanStats& stats) const {
  ++stats.files_read;
  if (cache_) {
    if (auto reader = cache_->find(file.path)) {
      ++stats.files_cached;
      return reader;
    }
  }
  auto bytes = log.store().get(log.data_file_key(file.path));
  if (!bytes) {
    throw lake::delta::DeltaError("live file " + file.path + " is missing from " +
                                  log.store().url() +
                                  "; the table is damaged — restore the file from a backup");
  }
  const auto size = int64_t(bytes->size());
  stats.bytes_fetched += size;
  auto reader = std::make_shared<const FileReader>(std::move(*bytes));
  if (cache_) cache_->insert(file.path, reader, size);
  return reader;
}

template <typename Out, typename ReadFile>
std::vector<Out> TickScan::read_files(const lake::delta::DeltaLog& log, const TickQuery& q,
                                      ScanStats& stats, ReadFile&& read) const {
  std::vector<const lake::delta::AddFile*> candidates;
  for (const auto& [path, file] : state_.files) {
    ++stats.files_live;
    if (partition_excludes(file, q)) {
      ++stats.files_pruned_by_partition;
      continue;
    }
    if (stats_exclude(file, q)) {
      ++stats.files_pruned_by_stats;
      continue;
    }
    candidates.push_back(&file);
  }
  std::vector<Out> outs(candidates.size());
  std::vector<ScanStats> file_stats(candidates.size());
  parallel_for(candidates.size(), [&](size_t i) {
    ScanStats& st = file_stats[i];
    const auto reader = open(log, *candidates[i], st);
    std::vector<int64_t> groups;
    for (int64_t g = 0; g < reader->num_row_groups(); ++g) {
      // Partition columns are not in the file: their bounds come back empty.
      const auto sym = reader->bounds(g, columns_.symbol);
      const auto exch = reader->bounds(g, columns_.exchange);
      const auto ts = reader->bounds(g, columns_.time);
      const bool skip = (q.symbol && !may_hold(sym.min, sym.max, *q.symbol)) ||
                        (q.exchange && !may_hold(exch.min, exch.max, *q.exchange)) ||
                        !overlaps(plain_int64(ts.min), plain_int64(ts.max), q.from_us, q.to_us);
      ++(skip ? st.row_groups_skipped : st.row_groups_read);
      if (!skip) groups.push_back(g);
    }
    if (!groups.empty()) outs[i] = read(*candidates[i], reader, groups);
  });
  for (const ScanStats& st : file_stats) {
    stats.files_read += st.files_read;
    stats.files_cached += st.files_cached;
    stats.row_groups_read += st.row_groups_read;
    stats.row_groups_skipped += st.row_groups_skipped;
    stats.bytes_fetched += st.bytes_fetched;
  }
  return outs;
}

std::optional<std::vector<uint32_t>> TickScan::select(
    const FileReader& reader, int64_t group, const TickQuery& q,
    std::vector<std::optional<TypedColumn>>& columns) const {
  const auto& fields = reader.schema();
  auto field_of = [&](const std::string& name) -> std::optional<size_t> {
    for (size_t i = 0; i < fields.size(); ++i)
      if (fields[i].name == name) return i;
    return std::nullopt;  // a partition column: its values are not in the file
  };
  std::optional<std::vector<uint32_t>> selected;  // rows still matching, ascending; nullopt: all
  // Narrows `selected` by one filter column; false when that column is not flat.
  auto narrow = [&](const std::string& name, auto&& rows_matching) {
    const auto f = field_of(name);
    if (!f) return true;
    columns[*f] = reader.read_typed_column(group, name);
    if (!columns[*f]) return false;
    selected = rows_matching(*columns[*f], selected ? &*selected : nullptr);
    return true;
  };
  auto equal_to = [](const std::string& want) {
    return [&want](const TypedColumn& c, const std::vector<uint32_t>* rows) {
      return c.rows_equal(want, rows);
    };
  };
  const bool flat =
      (!q.symbol || narrow(columns_.symbol, equal_to(*q.symbol))) &&
      (!q.exchange || narrow(columns_.exchange, equal_to(*q.exchange))) &&
      narrow(columns_.time, [&](const TypedColumn& c, const std::vector<uint32_t>* rows) {
        return c.rows_in_range(q.from_us, q.to_us, rows);
      });
  if (!flat) return std::nullopt;
  return selected;
}

void TickScan::read_matching(const FileReader& reader, int64_t group, const TickQuery& q,
                             std::vector<Row>& out) const {
  std::vector<std::optional<TypedColumn>> columns(reader.schema().size());
  const auto selected = select(reader, group, q, columns);
  if (!selected) {  // a nested filter column, or none in the file: decode it all
    reader.read_row_group(group, out);
    return;
  }
  if (!selected->empty() && !materialize(reader, group, q, *selected, columns, out))
    reader.read_row_group(group, out);
}

bool TickScan::materialize(const FileReader& reader, int64_t group, const TickQuery& q,
                           const std::vector<uint32_t>& rows,
                           std::vector<std::optional<TypedColumn>>& columns,
                           std::vector<Row>& out) const {
  const auto& fields = reader.schema();
  for (size_t f = 0; f < fields.size(); ++f) {
    if (columns[f] || !wanted(q, fields[f].name)) continue;  // not asked for: stays null
    columns[f] = reader.read_typed_column(group, fields[f].name);
    if (!columns[f]) return false;
  }
  // Values are built for these rows only.
  for (uint32_t r : rows) {
    Row row(fields.size());
    for (size_t f = 0; f < fields.size(); ++f)
      if (columns[f]) row[f] = columns[f]->value(r);
    out.push_back(std::move(row));
  }
  return true;
}

namespace {

// Is `name` a flat (leaf) column of the file?
bool is_flat(const std::vector<lake::parquet::Field>& file_fields, const std::string& name) {
  return std::any_of(file_fields.begin(), file_fields.end(), [&](const auto& f) {
    return f.name == name && f.kind == lake::parquet::Field::Kind::kLeaf;
  });
}

}  // namespace

bool TickScan::keys_readable(const std::vector<lake::parquet::Field>& file_fields,
                             const TickQuery& q) const {
  // As points_readable(), and every column the answer wants is flat: then a match is
  // decoded later from its row number alone.
  auto flat = [&](const std::string& name) { return is_flat(file_fields, name); };
  return q.symbol && flat(columns_.symbol) && (!q.exchange || flat(columns_.exchange)) &&
         flat(columns_.time) && flat(columns_.sequence) &&
         std::all_of(file_fields.begin(), file_fields.end(), [&](const auto& f) {
           return f.kind == lake::parquet::Field::Kind::kLeaf || !wanted(q, f.name);
         });
}

bool TickScan::points_readable(const std::vector<lake::parquet::Field>& file_fields,
                               const TickQuery& q) const {
  // Each column a point reads, and each filter column, must be a flat column of
  // the file: then select() alone decides what matches, as the rows' re-check would.
  auto flat = [&](const std::string& name) { return is_flat(file_fields, name); };
  return q.symbol && flat(columns_.symbol) && (!q.exchange || flat(columns_.exchange)) &&
         flat(columns_.time) && flat(columns_.sequence) && flat(columns_.price) &&
         flat(columns_.volume);
}

// The flat column `name` of row group `group`, decoded into `columns` (by file
// field) unless it is there already; the file must hold it (points_readable(),
// keys_readable()).
static const TypedColumn& decoded(const FileReader& reader, int64_t group, const std::string& name,
                                  std::vector<std::optional<TypedColumn>>& columns) {
  const auto& fields = reader.schema();
  size_t f = 0;
  while (fields[f].name != name) ++f;
  if (!columns[f]) columns[f] = reader.read_typed_column(group, name);
  return *columns[f];
}

void TickScan::read_points(const FileReader& reader, int64_t group, const TickQuery& q,
                           std::vector<TickPoint>& out) const {
  std::vector<std::optional<TypedColumn>> columns(reader.schema().size());
  const auto selected = select(reader, group, q, columns);
  if (!selected || selected->empty()) return;  // points_readable() rules out nullopt
  const auto& schema = layout_.schema();
  const TypedColumn &time = decoded(reader, group, columns_.time, columns),
                    &sequence = decoded(reader, group, columns_.sequence, columns),
                    &price = decoded(reader, group, columns_.price, columns),
                    &volume = decoded(reader, group, columns_.volume, columns);
  for (uint32_t r : *selected) {
    const Value seq = sequence.value(r);
    const auto* s = std::get_if<int64_t>(&seq.v);
    out.push_back({std::get<int64_t>(time.value(r).v), s ? *s : INT64_MIN,
                   cell_number(price.value(r), schema[price_]),
                   cell_number(volume.value(r), schema[volume_])});
  }
}

void TickScan::append_matching(const lake::delta::AddFile& file, const FileReader& reader,
                               const std::vector<int64_t>& groups, const TickQuery& q,
                               std::vector<Row>& out) const {
  std::vector<Row> file_rows;
  for (int64_t g : groups) read_matching(reader, g, q, file_rows);
  if (file_rows.empty()) return;
  for (auto& row :
       layout_.table_rows(reader.schema(), std::move(file_rows), file.partition_values)) {
    const auto* s = std::get_if<std::string>(&row[symbol_].v);
    const auto* e = std::get_if<std::string>(&row[exchange_].v);
    const auto* t = std::get_if<int64_t>(&row[time_].v);
    if (!s || !t) continue;  // a tick without symbol or time answers no query
    if (q.symbol && *s != *q.symbol) continue;
    if (q.exchange && (!e || *e != *q.exchange)) continue;
    if (*t < q.from_us || *t >= q.to_us) continue;
    out.push_back(std::move(row));
  }
}

TickPoint TickScan::point_of(const Row& row) const {
  const auto& schema = layout_.schema();
  const auto* s = std::get_if<int64_t>(&row[sequence_].v);
  return {std::get<int64_t>(row[time_].v), s ? *s : INT64_MIN,
          cell_number(row[price_], schema[price_]), cell_number(row[volume_], schema[volume_])};
}

ScanResult TickScan::scan(const lake::delta::DeltaLog& log, const TickQuery& q) const {
  if (q.limit) return scan_first(log, q, *q.limit);
  ScanResult out;
  auto per_file = read_files<std::vector<Row>>(
      log, q, out.stats, [&](const auto& file, const auto& reader, const auto& groups) {
        std::vector<Row> rows;
        append_matching(file, *reader, groups, q, rows);
        return rows;
      });
  for (auto& rows : per_file) std::move(rows.begin(), rows.end(), std::back_inserter(out.rows));
  out.matched = int64_t(out.rows.size());
  return out;
}

// Two passes. The first finds every match's key (time, sequence, order read) and
// where it lies (file, row group, row), building no row; a file that cannot be read
// so (keys_readable() false) has its matching rows built at once. The second builds
// the rows of the first `limit` keys only, in the order read, so that sorting them
// as sort_ticks does gives what sorting all the matches would. Files, then row
// groups, are read on up to kScanThreads threads.
ScanResult TickScan::scan_first(const lake::delta::DeltaLog& log, const TickQuery& q,
                                size_t limit) const {
  struct Match {
    int64_t time, sequence;
    size_t index;  // order read
    size_t file;   // in `files`
    int64_t group;
    uint32_t row;  // in the row group, or in the file's `built` when built
    bool built;
  };
  struct FileMatches {
    const lake::delta::AddFile* file = nullptr;
    std::shared_ptr<const FileReader> reader;
    std::vector<Match> matches;  // index: order read within the file
    std::vector<Row> built;
    // Per row group with matches, the columns the first pass decoded (by file
    // field), so the second does not decode them again.
    std::map<int64_t, std::vector<std::optional<TypedColumn>>> decoded;
  };
  ScanResult out;
  auto files = read_files<FileMatches>(
      log, q, out.stats, [&](const auto& file, const auto& reader, const auto& groups) {
        FileMatches f{&file, reader, {}, {}, {}};
        const auto& fields = reader->schema();
        if (!keys_readable(fields, q)) {
          append_matching(file, *reader, groups, q, f.built);
          for (const Row& row : f.built) {
            const auto* s = std::get_if<int64_t>(&row[sequence_].v);
            f.matches.push_back({std::get<int64_t>(row[time_].v), s ? *s : INT64_MIN,
                                 f.matches.size(), 0, 0, uint32_t(f.matches.size()), true});
          }
          return f;
        }
        for (int64_t g : groups) {
          std::vector<std::optional<TypedColumn>> columns(fields.size());
          const auto selected = select(*reader, g, q, columns);  // set: keys_readable()
          if (selected->empty()) continue;
          const TypedColumn& time = decoded(*reader, g, columns_.time, columns);
          const TypedColumn& sequence = decoded(*reader, g, columns_.sequence, columns);
          for (uint32_t r : *selected) {
            const Value seq = sequence.value(r);
            const auto* s = std::get_if<int64_t>(&seq.v);
            f.matches.push_back({std::get<int64_t>(time.value(r).v), s ? *s : INT64_MIN,
                                 f.matches.size(), 0, g, r, false});
          }
          f.decoded.emplace(g, std::move(columns));
        }
        return f;
      });
  std::vector<Match> matches;
  for (size_t i = 0; i < files.size(); ++i) {
    for (Match m : files[i].matches) {
      m.index = matches.size();
      m.file = i;
      matches.push_back(m);
    }
  }
  out.matched = int64_t(matches.size());
  if (matches.size() > limit) {
    std::nth_element(matches.begin(), matches.begin() + ptrdiff_t(limit), matches.end(),
                     [](const Match& a, const Match& b) {
                       return std::tie(a.time, a.sequence, a.index) <
                              std::tie(b.time, b.sequence, b.index);
                     });
    matches.resize(limit);
    std::sort(matches.begin(), matches.end(),
              [](const Match& a, const Match& b) { return a.index < b.index; });
  }
  // The kept matches in runs of one row group (or one built row), each run built alone.
  std::vector<std::pair<size_t, size_t>> runs;
  for (size_t i = 0, j; i < matches.size(); i = j) {
    for (j = i + 1; j < matches.size() && !matches[i].built && !matches[j].built &&
                    matches[j].file == matches[i].file && matches[j].group == matches[i].group;
         ++j) {
    }
    runs.emplace_back(i, j);
  }
  std::vector<std::vector<Row>> built_runs(runs.size());
  parallel_for(runs.size(), [&](size_t k) {
    const auto [i, j] = runs[k];
    FileMatches& f = files[matches[i].file];
    if (matches[i].built) {
      built_runs[k].push_back(std::move(f.built[matches[i].row]));
      return;
    }
    std::vector<uint32_t> rows;
    for (size_t m = i; m < j; ++m) rows.push_back(matches[m].row);
    std::vector<Row> file_rows;  // (each run has its own row group's columns: no sharing)
    materialize(*f.reader, matches[i].group, q, rows, f.decoded.find(matches[i].group)->second,
                file_rows);  // true: keys_readable()
    built_runs[k] =
        layout_.table_rows(f.reader->schema(), std::move(file_rows), f.file->partition_values);
  });
  for (auto& rows : built_runs) std::move(rows.begin(), rows.end(), std::back_inserter(out.rows));
  return out;
}

PointScan TickScan::scan_points(const lake::delta::DeltaLog& log, const TickQuery& query) const {
  TickQuery q = query;  // a file read as rows needs only the columns a point holds
  q.columns = {columns_.symbol,   columns_.exchange, columns_.time,
               columns_.sequence, columns_.price,    columns_.volume};
  PointScan out;
  auto per_file = read_files<std::vector<TickPoint>>(
      log, q, out.stats, [&](const auto& file, const auto& reader, const auto& groups) {
        std::vector<TickPoint> points;
        if (points_readable(reader->schema(), q)) {
          for (int64_t g : groups) read_points(*reader, g, q, points);
          return points;
        }
        std::vector<Row> rows;
        append_matching(file, *reader, groups, q, rows);
        for (const Row& row : rows) points.push_back(point_of(row));
        return points;
      });
  for (const auto& points : per_file)
    out.points.insert(out.points.end(), points.begin(), points.end());
  return out;
}

}  // namespace sluice::serve
