// The query API of `sluice serve` (docs/query-api.md), independent of HTTP:
// GET /v1/ticks, /v1/summary/{symbol}/{date} and /v1/symbols answered as JSON
// from the current snapshot of a ticks Delta table.
//
// Invariants: every answer reads one snapshot (the table's latest version when
// the request arrives), so ticks, summaries and symbols are each consistent;
// nothing but a request carrying the configured API key is answered with data;
// every error is JSON naming what was wrong ({"error": {"status", "message",
// "param"?}}) and only successful answers are cacheable.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "lake/delta/delta_log.h"
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
};

class ServeApi {
 public:
  // `log` (and its store) must outlive the API. `api_key` must not be empty.
  ServeApi(lake::delta::DeltaLog& log, TickColumns columns, std::string api_key);

  // Thread-safe: requests are answered one at a time (the object store and the
  // symbol cache are shared).
  ServeReply handle(const ServeRequest& request);

 private:
  ServeReply route(const ServeRequest& request);
  ServeReply ticks(const ServeRequest& request);
  ServeReply summary(const std::string& symbol, const std::string& date,
                     const ServeRequest& request);
  ServeReply symbols();
  // The symbols of the live files of `state`; each immutable data file is read once.
  std::set<std::string> symbols_of(const lake::delta::TableState& state, const TickScan& scan);
  bool authorized(const ServeRequest& request) const;

  std::mutex mu_;
  lake::delta::DeltaLog& log_;
  TickColumns columns_;
  std::string api_key_;
  std::map<std::string, std::set<std::string>> file_symbols_;  // data file path -> its symbols
};

}  // namespace sluice::serve
