// The query API of `sluice serve` (docs/query-api.md), independent of HTTP:
// GET /v1/ticks, /v1/summary/{symbol}/{date} and /v1/symbols answered as JSON
// from the current snapshot of a ticks Delta table, and (with a KafkaTail) the
// records of the sink's topic that snapshot does not hold yet.
//
// Invariants: every answer reads one snapshot (the table's latest version when
// the request arrives), so ticks, summaries and symbols are each consistent;
// with a tail, it adds exactly the records after that same snapshot's txn
// version of each partition (tail_records.h), so no tick is counted twice or
// missed when a commit lands during the request;
// nothing but a request carrying the configured API key is answered with data;
// every error is JSON naming what was wrong ({"error": {"status", "message",
// "param"?}}) and only successful answers are cacheable.
//
// Concurrency: requests run in parallel. The only shared state is the latest
// snapshot (TableSnapshots: an immutable TableState behind a shared_ptr; a
// request keeps the one it took to the end of its answer), the tail (read under
// a shared lock), the per-file symbol cache and the FileCache of parsed data
// files (data files never change once committed); their locks are held for map,
// list and pointer operations only, never across a store read.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lake/delta/delta_log.h"
#include "ops/metrics.h"
#include "serve/file_cache.h"
#include "serve/kafka_tail.h"
#include "serve/serve_metrics.h"
#include "serve/table_snapshots.h"
#include "serve/tick_scan.h"

namespace sluice::serve {

// The most ticks one request returns (the seed's limit).
inline constexpr int kMaxTicks = 10'000;
inline constexpr int kDefaultTicks = 1'000;

struct ServeRequest {
  std::string method;
  std::string path;  // percent-decoded, without the query
  std::map<std::string, std::string> query;
  std::optional<std::string> api_key;        // X-API-Key
  std::optional<std::string> authorization;  // Authorization
};

struct ServeReply {
  int status = 200;
  std::string body;
  std::string cache_control;  // "max-age=5" ...; "no-store" for errors
  std::string content_type = "application/json";
};

class ServeApi {
 public:
  // `log` (and its store), `snapshots` (of `log`), `tail` (null: answers from the
  // table alone) and `metrics` must outlive the API. `api_key` must not be empty.
  // GET /metrics renders `metrics` (with the API's own series) without a key: it
  // holds counts and timings, no table data. Data files read are kept parsed in a
  // cache of at most `file_cache_bytes` (file_cache.h).
  ServeApi(lake::delta::DeltaLog& log, TableSnapshots& snapshots, const KafkaTail* tail,
           TickColumns columns, std::string api_key, ops::MetricsRegistry& metrics,
           int64_t file_cache_bytes = kDefaultFileCacheBytes);

  // Thread-safe; concurrent calls run in parallel (the object store's get is thread-safe).
  ServeReply handle(const ServeRequest& request);

 private:
  ServeReply route(const ServeRequest& request);
  ServeReply ticks(const ServeRequest& request);
  ServeReply summary(const std::string& symbol, const std::string& date,
                     const ServeRequest& request);
  ServeReply symbols();
  // The table's latest version now (TableSnapshots::latest). Throws ApiError 503
  // when there is no table yet.
  std::shared_ptr<const lake::delta::TableState> snapshot();
  // What one answer reads: a snapshot, its scan, and the tail's rows after it.
  struct Fresh;
  // The latest snapshot and the tail's rows after it that match `q` (with no
  // symbol in `q`: only the symbols of every row); taken again with a newer
  // snapshot while the tail has dropped rows the one taken lacks.
  Fresh fresh(const TickQuery& q);
  // The symbols of the live files of `state`; each immutable data file is read once.
  std::set<std::string> symbols_of(const lake::delta::TableState& state, const TickScan& scan);
  bool authorized(const ServeRequest& request) const;

  lake::delta::DeltaLog& log_;
  TableSnapshots& snapshots_;
  const KafkaTail* tail_;
  TickColumns columns_;
  std::string api_key_;
  ServeMetrics metrics_;
  std::mutex symbols_mu_;                                      // guards file_symbols_
  std::map<std::string, std::set<std::string>> file_symbols_;  // data file path -> its symbols
  FileCache file_cache_;                                       // thread-safe itself
};

}  // namespace sluice::serve
