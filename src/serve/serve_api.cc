// ServeApi: routing, parameters, the key check, and the three answers (see serve_api.h).
#include "serve/serve_api.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iterator>
#include <stdexcept>
#include <tuple>

#include "common/iso8601.h"
#include "common/json.h"
#include "lake/delta/data_file.h"
#include "lake/delta/time_text.h"

namespace sluice::serve {
namespace {

using lake::parquet::Row;
using lake::parquet::Type;
using lake::parquet::Value;

constexpr int64_t kDayUs = 86'400'000'000;

// How long a client or proxy may reuse an answer: ticks change every second,
// a day's summary rarely once the day is over, the symbols hardly ever.
constexpr const char* kTicksCache = "max-age=5";
constexpr const char* kSummaryCache = "max-age=60";
constexpr const char* kSymbolsCache = "max-age=300";

struct ApiError : std::runtime_error {
  ApiError(int code, const std::string& message, std::string name = {})
      : std::runtime_error(message), status(code), param(std::move(name)) {}
  int status;
  std::string param;
};

ServeReply error_reply(int status, const std::string& message, const std::string& param = {}) {
  json::JsonWriter w;
  w.begin_object().key("error").begin_object().field("status", status).field("message", message);
  if (!param.empty()) w.field("param", param);
  w.end_object().end_object();
  return {status, w.str(), "no-store"};
}

// Microseconds since the epoch from "1733565600000000" (µs), "2026-12-07"
// (the day's start, UTC) or an ISO 8601 timestamp ("…Z", "…+10:00"; µs kept
// for Z or no offset).
int64_t parse_time_param(const std::string& name, const std::string& text) {
  try {
    size_t used = 0;
    const int64_t us = std::stoll(text, &used);
    if (used == text.size()) return us;
  } catch (const std::exception&) {
    // not a number: a date or a timestamp
  }
  if (auto days = lake::delta::parse_date(text); days && text.size() == 10)
    return int64_t(*days) * kDayUs;
  if (auto us = lake::delta::parse_timestamp_micros(text)) return *us;
  if (auto ms = parse_iso8601_ms(text)) return *ms * 1000;
  throw ApiError(400,
                 "parameter '" + name + "' is '" + text +
                     "', not a time; give microseconds since the epoch, a date (2026-12-07) "
                     "or an ISO 8601 timestamp (2026-12-07T10:00:00Z)",
                 name);
}

std::string iso_micros(int64_t us) {
  std::string t = lake::delta::format_timestamp_micros(us);  // "YYYY-MM-DD HH:MM:SS.ffffff"
  if (t.size() > 10 && t[10] == ' ') t[10] = 'T';
  return t + "Z";
}

void write_cell(json::JsonWriter& w, const Value& v, const lake::delta::TableColumn& column) {
  if (v.is_null()) {
    w.null();
  } else if (const auto* s = std::get_if<std::string>(&v.v)) {
    w.value(*s);
  } else if (const auto* b = std::get_if<bool>(&v.v)) {
    w.value(*b);
  } else if (column.type == Type::kTimestampMicros) {
    w.value(iso_micros(std::get<int64_t>(v.v)));
  } else if (column.type == Type::kDate) {
    w.value(format_iso_date(std::get<int32_t>(v.v)));
  } else if (column.type == Type::kDecimal || column.type == Type::kFloat ||
             column.type == Type::kDouble) {
    w.value(cell_number(v, column));
  } else if (const auto* l = std::get_if<int64_t>(&v.v)) {
    w.value(*l);
  } else if (const auto* i = std::get_if<int32_t>(&v.v)) {
    w.value(int64_t(*i));
  } else {
    w.null();  // nested values: ticks tables are flat
  }
}

void write_scan(json::JsonWriter& w, const ScanStats& s) {
  w.key("scan")
      .begin_object()
      .field("files_live", s.files_live)
      .field("files_pruned_by_partition", s.files_pruned_by_partition)
      .field("files_pruned_by_stats", s.files_pruned_by_stats)
      .field("files_read", s.files_read)
      .field("files_cached", s.files_cached)
      .field("row_groups_read", s.row_groups_read)
      .field("row_groups_skipped", s.row_groups_skipped)
      .field("bytes_fetched", s.bytes_fetched)
      .end_object();
}

const std::string& required_param(const ServeRequest& r, const std::string& name) {
  auto it = r.query.find(name);
  if (it == r.query.end() || it->second.empty())
    throw ApiError(400, "parameter '" + name + "' is required", name);
  return it->second;
}

void allow_only(const ServeRequest& r, std::initializer_list<const char*> names) {
  for (const auto& entry : r.query) {
    const std::string& k = entry.first;
    if (std::none_of(names.begin(), names.end(), [&](const char* n) { return k == n; })) {
      std::string known;
      for (const char* n : names) known += (known.empty() ? "" : ", ") + std::string(n);
      throw ApiError(400, "unknown parameter '" + k + "'; this endpoint takes " + known, k);
    }
  }
}

std::optional<std::string> optional_param(const ServeRequest& r, const std::string& name) {
  auto it = r.query.find(name);
  if (it == r.query.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

// Tick order: exchange time, then the exchange's sequence number, then the order read.
// Keeps the first `keep` rows; sorts keys, not rows, and only as far as `keep` needs.
// Returns how many rows kept were at index `first_tail` or later (from Kafka).
size_t sort_ticks(std::vector<Row>& rows, size_t time, size_t sequence, size_t keep = SIZE_MAX,
                  size_t first_tail = SIZE_MAX) {
  struct Key {
    int64_t time, sequence;
    size_t index;
    auto operator<=>(const Key&) const = default;
  };
  std::vector<Key> keys;
  keys.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto* s = std::get_if<int64_t>(&rows[i][sequence].v);
    keys.push_back({std::get<int64_t>(rows[i][time].v), s ? *s : INT64_MIN, i});
  }
  keep = std::min(keep, keys.size());
  std::partial_sort(keys.begin(), keys.begin() + ptrdiff_t(keep), keys.end());
  std::vector<Row> sorted;
  sorted.reserve(keep);
  size_t from_tail = 0;
  for (size_t k = 0; k < keep; ++k) {
    from_tail += keys[k].index >= first_tail;
    sorted.push_back(std::move(rows[keys[k].index]));
  }
  rows = std::move(sorted);
  return from_tail;
}

// How fresh an answer is: the records it took from Kafka (docs/query-api.md).
void write_kafka(json::JsonWriter& w, const std::optional<TailReadout>& tail, int64_t records) {
  if (!tail) return;
  w.key("kafka")
      .begin_object()
      .field("records", records)
      .field("partitions", int64_t(tail->partitions))
      .field("full", tail->full)
      .end_object();
}

// Whether a tick row of the table schema (symbol, exchange, time at these indices)
// answers `q`; the scan checks its own rows the same way.
struct TickFilter {
  size_t symbol, exchange, time;
  bool operator()(const Row& row, const TickQuery& q) const {
    const auto* s = std::get_if<std::string>(&row[symbol].v);
    if (!s || (q.symbol && *s != *q.symbol)) return false;
    if (q.exchange) {
      const auto* e = std::get_if<std::string>(&row[exchange].v);
      if (!e || *e != *q.exchange) return false;
    }
    const auto* t = std::get_if<int64_t>(&row[time].v);
    return t && *t >= q.from_us && *t < q.to_us;
  }
};

// Attempts at a snapshot the tail still holds every record after (tail_records.h): each
// after the tail dropped records for a newer one, which the next attempt then sees.
constexpr int kFreshAttempts = 5;

}  // namespace

struct ServeApi::Fresh {
  std::shared_ptr<const lake::delta::TableState> snapshot;
  std::optional<TickScan> scan;  // of *snapshot
  std::vector<Row> tail_rows;    // matching the query, in the table's schema
  std::optional<TailReadout> tail;
  bool symbol_in_tail = false;         // a tail row has the query's symbol (any time, exchange)
  std::set<std::string> tail_symbols;  // with no symbol in the query: those of every tail row
};

ServeApi::ServeApi(lake::delta::DeltaLog& log, TableSnapshots& snapshots, const KafkaTail* tail,
                   TickColumns columns, std::string api_key, ops::MetricsRegistry& metrics,
                   int64_t file_cache_bytes)
    : log_(log),
      snapshots_(snapshots),
      tail_(tail),
      columns_(std::move(columns)),
      api_key_(std::move(api_key)),
      metrics_(metrics),
      file_cache_(file_cache_bytes) {
  if (api_key_.empty()) throw std::invalid_argument("the API key is empty");
}

ServeApi::Fresh ServeApi::fresh(const TickQuery& q) {
  for (int attempt = 1;; ++attempt) {
    Fresh f;
    f.snapshot = snapshot();
    f.scan.emplace(*f.snapshot, columns_, &file_cache_);
    if (!tail_) return f;
    const TickFilter matches{f.scan->column_index(columns_.symbol),
                             f.scan->column_index(columns_.exchange),
                             f.scan->column_index(columns_.time)};
    f.tail = tail_->visit_after(*f.snapshot, [&](const Row& row) {
      const auto* s = std::get_if<std::string>(&row[matches.symbol].v);
      if (!q.symbol && s) f.tail_symbols.insert(*s);
      if (q.symbol && s && *s == *q.symbol) f.symbol_in_tail = true;
      if (q.symbol && matches(row, q)) f.tail_rows.push_back(row);
    });
    if (f.tail) return f;
    if (attempt == kFreshAttempts)
      throw ApiError(503, "the Kafka tail of '" + tail_->topic() +
                              "' is catching up with table version " +
                              std::to_string(f.snapshot->version) + "; retry in a second");
  }
}

bool ServeApi::authorized(const ServeRequest& r) const {
  auto same = [&](const std::string& given) {
    // Constant time in the key's content, so timing does not reveal a prefix.
    if (given.size() != api_key_.size()) return false;
    unsigned char diff = 0;
    for (size_t i = 0; i < given.size(); ++i) diff |= given[i] ^ api_key_[i];
    return diff == 0;
  };
  if (r.api_key && same(*r.api_key)) return true;
  const std::string bearer = "Bearer ";
  return r.authorization && r.authorization->compare(0, bearer.size(), bearer) == 0 &&
         same(r.authorization->substr(bearer.size()));
}

ServeReply ServeApi::handle(const ServeRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  ServeReply reply;
  try {
    reply = route(request);
  } catch (const ApiError& e) {
    reply = error_reply(e.status, e.what(), e.param);
  } catch (const std::exception& e) {
    reply = error_reply(500, std::string("the table could not be read: ") + e.what());
  }
  metrics_.record(ServeMetrics::route_of(request.path), reply.status,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return reply;
}

ServeReply ServeApi::route(const ServeRequest& r) {
  if (r.method != "GET" && r.method != "HEAD")
    throw ApiError(405, "method " + r.method + " is not allowed; the query API is read-only (GET)");
  if (r.path == "/metrics")
    return {200, metrics_.render(), "no-store", "text/plain; version=0.0.4"};
  if (!authorized(r))
    throw ApiError(401, r.api_key || r.authorization
                            ? "the API key is not valid"
                            : "an API key is required: send it as 'X-API-Key: KEY' or "
                              "'Authorization: Bearer KEY'");
  if (r.path == "/v1/ticks") return ticks(r);
  if (r.path == "/v1/symbols") {
    allow_only(r, {});
    return symbols();
  }
  const std::string prefix = "/v1/summary/";
  if (r.path.compare(0, prefix.size(), prefix) == 0) {
    const std::string rest = r.path.substr(prefix.size());
    const size_t slash = rest.find('/');
    if (slash != std::string::npos && slash > 0 && slash + 1 < rest.size() &&
        rest.find('/', slash + 1) == std::string::npos)
      return summary(rest.substr(0, slash), rest.substr(slash + 1), r);
  }
  throw ApiError(404, "no endpoint " + r.path +
                          "; the API serves GET /v1/ticks, /v1/summary/{symbol}/{date} and "
                          "/v1/symbols");
}

ServeReply ServeApi::ticks(const ServeRequest& r) {
  allow_only(r, {"symbol", "from", "to", "limit", "exchange"});
  TickQuery q;
  q.symbol = required_param(r, "symbol");
  q.exchange = optional_param(r, "exchange");
  if (auto from = optional_param(r, "from")) q.from_us = parse_time_param("from", *from);
  if (auto to = optional_param(r, "to")) q.to_us = parse_time_param("to", *to);
  if (q.to_us < q.from_us) throw ApiError(400, "parameter 'to' is before 'from'", "to");
  int limit = kDefaultTicks;
  if (auto text = optional_param(r, "limit")) {
    size_t used = 0;
    long long n = -1;
    try {
      n = std::stoll(*text, &used);
    } catch (const std::exception&) {
    }
    if (used != text->size() || n < 1 || n > kMaxTicks)
      throw ApiError(400,
                     "parameter 'limit' is '" + *text + "'; give a whole number from 1 to " +
                         std::to_string(kMaxTicks),
                     "limit");
    limit = int(n);
  }
  q.limit = size_t(limit);  // rows are built for the table's first `limit` ticks only
  Fresh f = fresh(q);
  const lake::delta::TableState& state = *f.snapshot;
  const TickScan& scan = *f.scan;
  auto result = scan.scan(log_, q);
  metrics_.add_bytes_read(result.stats.bytes_fetched);
  const size_t first_tail = result.rows.size();
  std::move(f.tail_rows.begin(), f.tail_rows.end(), std::back_inserter(result.rows));
  if (result.rows.empty() && !f.symbol_in_tail && !symbols_of(state, scan).count(*q.symbol))
    throw ApiError(404, "unknown symbol '" + *q.symbol + "': the table holds no ticks for it",
                   "symbol");
  // Every match counts, also those the scan's limit left unbuilt.
  const bool truncated = result.matched + int64_t(result.rows.size() - first_tail) > limit;
  const size_t from_kafka =
      sort_ticks(result.rows, scan.column_index(columns_.time),
                 scan.column_index(columns_.sequence), size_t(limit), first_tail);
  const auto& schema = scan.layout().schema();
  json::JsonWriter w;
  w.begin_object().field("symbol", *q.symbol).field("version", state.version);
  w.field("count", int64_t(result.rows.size())).field("limit", limit).field("truncated", truncated);
  w.key("ticks").begin_array();
  for (const auto& row : result.rows) {
    w.begin_object();
    for (size_t i = 0; i < schema.size(); ++i) {
      w.key(schema[i].name);
      write_cell(w, row[i], schema[i]);
    }
    w.end_object();
  }
  w.end_array();
  write_scan(w, result.stats);
  write_kafka(w, f.tail, int64_t(from_kafka));
  w.end_object();
  return {200, w.str(), kTicksCache};
}

ServeReply ServeApi::summary(const std::string& symbol, const std::string& date,
                             const ServeRequest& r) {
  allow_only(r, {"exchange"});
  const auto days = lake::delta::parse_date(date);
  if (!days || date.size() != 10)
    throw ApiError(400, "the date '" + date + "' is not YYYY-MM-DD (a UTC day)", "date");
  TickQuery q;
  q.symbol = symbol;
  q.exchange = optional_param(r, "exchange");
  q.from_us = int64_t(*days) * kDayUs;
  q.to_us = q.from_us + kDayUs;
  Fresh f = fresh(q);
  const lake::delta::TableState& state = *f.snapshot;
  const TickScan& scan = *f.scan;
  auto result = scan.scan_points(log_, q);
  metrics_.add_bytes_read(result.stats.bytes_fetched);
  const int64_t from_kafka = int64_t(f.tail_rows.size());
  auto& points = result.points;  // the table's, then the tail's
  for (const Row& row : f.tail_rows) points.push_back(scan.point_of(row));
  if (points.empty()) {
    if (!f.symbol_in_tail && !symbols_of(state, scan).count(symbol))
      throw ApiError(404, "unknown symbol '" + symbol + "': the table holds no ticks for it",
                     "symbol");
    throw ApiError(404,
                   "no ticks for '" + symbol + "' on " + date +
                       (q.exchange ? " at exchange " + *q.exchange : "") + " (UTC)",
                   "date");
  }
  // Tick order as sort_ticks: time, sequence, then the order read (a stable sort).
  std::stable_sort(points.begin(), points.end(), [](const TickPoint& a, const TickPoint& b) {
    return std::tie(a.time, a.sequence) < std::tie(b.time, b.sequence);
  });
  const auto& schema = scan.layout().schema();
  const auto& volume_col = schema[scan.column_index(columns_.volume)];
  // Ticks without a price or volume (null) take no part in OHLCV.
  double open = NAN, high = -INFINITY, low = INFINITY, close = NAN, volume_sum = 0, notional = 0;
  int64_t trades = 0;
  for (const TickPoint& t : points) {
    const double p = t.price, v = t.volume;
    if (std::isnan(p) || std::isnan(v)) continue;
    if (trades++ == 0) open = p;
    close = p;
    high = std::max(high, p);
    low = std::min(low, p);
    volume_sum += v;
    notional += p * v;
  }
  json::JsonWriter w;
  w.begin_object().field("symbol", symbol).field("date", date);
  if (q.exchange) w.field("exchange", *q.exchange);
  w.field("version", state.version).field("trades", trades);
  if (trades == 0) {
    w.key("open").null().key("high").null().key("low").null().key("close").null();
  } else {
    w.field("open", open).field("high", high).field("low", low).field("close", close);
  }
  if (volume_col.type == Type::kInt32 || volume_col.type == Type::kInt64)
    w.field("volume", int64_t(volume_sum));
  else
    w.field("volume", volume_sum);
  if (volume_sum > 0)
    w.field("vwap", notional / volume_sum);
  else
    w.key("vwap").null();
  w.field("first_tick", iso_micros(points.front().time));
  w.field("last_tick", iso_micros(points.back().time));
  write_scan(w, result.stats);
  write_kafka(w, f.tail, from_kafka);
  w.end_object();
  return {200, w.str(), kSummaryCache};
}

std::shared_ptr<const lake::delta::TableState> ServeApi::snapshot() {
  auto latest = snapshots_.latest();
  if (latest->version < 0)
    throw ApiError(503, "the table does not exist yet; nothing has been written");
  return latest;
}

std::set<std::string> ServeApi::symbols_of(const lake::delta::TableState& state,
                                           const TickScan& scan) {
  std::set<std::string> all;
  std::vector<const lake::delta::AddFile*> unread;
  {
    std::lock_guard lock(symbols_mu_);
    for (const auto& [path, file] : state.files) {
      auto it = file_symbols_.find(path);
      if (it == file_symbols_.end())
        unread.push_back(&file);
      else
        all.insert(it->second.begin(), it->second.end());
    }
  }
  // Files are read outside the lock; two requests may read the same new file, which is harmless.
  const size_t symbol = scan.column_index(columns_.symbol);
  std::map<std::string, std::set<std::string>> found;
  for (const auto* file : unread) {
    metrics_.add_bytes_read(file->size);
    auto& symbols = found[file->path];
    for (const auto& row : lake::delta::read_data_file(log_, scan.layout(), *file))
      if (const auto* s = std::get_if<std::string>(&row[symbol].v)) symbols.insert(*s);
    all.insert(symbols.begin(), symbols.end());
  }
  const auto newest = snapshots_.kept();
  std::lock_guard lock(symbols_mu_);
  file_symbols_.merge(found);
  // Files no longer live in the newest snapshot (compacted away) are forgotten. A request
  // still on an older snapshot may re-read one of them: correct, only slower.
  if (newest && newest->version <= state.version)
    std::erase_if(file_symbols_, [&](const auto& kv) { return !state.files.count(kv.first); });
  return all;
}

ServeReply ServeApi::symbols() {
  Fresh f = fresh(TickQuery{});
  const lake::delta::TableState& state = *f.snapshot;
  auto all = symbols_of(state, *f.scan);
  all.merge(f.tail_symbols);
  json::JsonWriter w;
  w.begin_object().field("version", state.version).field("count", int64_t(all.size()));
  w.key("symbols").begin_array();
  for (const auto& s : all) w.value(s);
  w.end_array();
  write_kafka(w, f.tail, f.tail ? f.tail->records : 0);
  w.end_object();
  return {200, w.str(), kSymbolsCache};
}

}  // namespace sluice::serve
