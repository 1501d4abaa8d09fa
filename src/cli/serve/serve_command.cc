// `sluice serve`: the query API over a ticks Delta table (docs/query-api.md):
// GET /v1/ticks, /v1/summary/{symbol}/{date}, /v1/symbols as JSON, behind an
// API key, each answer read from the table's latest snapshot and, with
// --bootstrap, the ticks of the sink's topic that snapshot does not hold yet.
//
// Invariant: the server never starts without a key (there is no default one),
// and a column name that is not in an existing table stops it at startup. A
// missing topic or an unreachable cluster never stops it (the tail retries).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "broker/server/listener_config.h"
#include "cli/support/commands.h"
#include "cli/support/stop_signals.h"
#include "lake/delta/delta_log.h"
#include "lake/store/object_store.h"
#include "ops/metrics.h"
#include "serve/kafka_tail.h"
#include "serve/serve_api.h"
#include "serve/serve_http_server.h"
#include "serve/table_snapshots.h"
#include "serve/tick_scan.h"

namespace sluice::cli {
namespace {

struct ServeFlags {
  std::string store;
  std::string table = "ticks";
  std::string listen = "127.0.0.1:8082";
  std::string api_key_env = "SLUICE_API_KEY";
  std::string api_key_file;
  serve::TickColumns columns;
  std::string bootstrap;           // the tail is followed when set
  serve::TailRecordsOptions tail;  // topic, stage, caps
  int64_t tail_max_mib = serve::TailRecordsOptions{}.max_bytes >> 20;
  int64_t file_cache_mib = serve::kDefaultFileCacheBytes >> 20;
};

// The key from --api-key-file (first line, surrounding whitespace dropped) or
// the environment variable; empty when neither gives one.
std::string read_api_key(const ServeFlags& f) {
  auto trim = [](std::string s) {
    const char* ws = " \t\r\n";
    const size_t b = s.find_first_not_of(ws);
    if (b == std::string::npos) return std::string();
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
  };
  if (!f.api_key_file.empty()) {
    std::ifstream in(f.api_key_file);
    if (!in) throw std::runtime_error("cannot read --api-key-file " + f.api_key_file);
    std::string line;
    std::getline(in, line);
    return trim(line);
  }
  const char* v = std::getenv(f.api_key_env.c_str());
  return v ? trim(v) : std::string();
}

int run(const ServeFlags& f) {
  StopSignals stop_signals;
  const std::string key = read_api_key(f);
  if (key.empty()) {
    std::fprintf(stderr,
                 "sluice serve: no API key: set the environment variable %s (or name another "
                 "with --api-key-env) or pass --api-key-file FILE; there is no default key\n",
                 f.api_key_env.c_str());
    return 2;
  }
  auto store = lake::open_store(f.store);
  lake::delta::DeltaLog log(*store, f.table);
  // Check the column names against the table now if it exists; a table the
  // pipeline has not created yet is answered with 503 until it has.
  const auto state = log.load();
  if (state.version >= 0) serve::TickScan check(state, f.columns);
  auto [host, port] = broker::parse_host_port(f.listen);
  ops::MetricsRegistry metrics;
  serve::TableSnapshots snapshots(log);
  std::unique_ptr<serve::KafkaTail> tail;
  if (!f.bootstrap.empty()) {
    serve::TailRecordsOptions options = f.tail;
    options.max_bytes = f.tail_max_mib << 20;
    options.date_column = f.columns.date;
    options.time_column = f.columns.time;
    tail = std::make_unique<serve::KafkaTail>(f.bootstrap, options, snapshots, metrics);
  }
  serve::ServeApi api(log, snapshots, tail.get(), f.columns, key, metrics, f.file_cache_mib << 20);
  serve::ServeHttpServer server(host, port);
  if (tail) tail->start();
  server.start(api);
  std::printf("sluice serve listening on http://%s:%d (table %s/%s, version %lld)\n", host.c_str(),
              server.port(), store->url().c_str(), f.table.c_str(),
              static_cast<long long>(state.version));
  if (tail)
    std::printf("merging ticks of topic %s at %s after the txn versions of stage %s\n",
                f.tail.topic.c_str(), f.bootstrap.c_str(), f.tail.stage.c_str());
  std::fflush(stdout);
  stop_signals.wait("serve");
  server.stop();
  return 0;
}

}  // namespace

Run add_serve_command(CLI::App& app) {
  auto f = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Serve the query API (ticks, daily OHLCV/VWAP summaries, symbols) over a Delta table");
  cmd->add_option("store", f->store, "Object store URL (/path, file:///path, s3://bucket/prefix)")
      ->required();
  cmd->add_option("table", f->table, "The ticks table's path in the store")->capture_default_str();
  cmd->add_option("--listen", f->listen, "HOST:PORT to serve on (port 0: any free port)")
      ->capture_default_str();
  cmd->add_option("--api-key-env", f->api_key_env,
                  "Environment variable holding the API key clients must send")
      ->capture_default_str();
  cmd->add_option("--api-key-file", f->api_key_file,
                  "File whose first line is the API key (instead of --api-key-env)");
  auto& c = f->columns;
  cmd->add_option("--symbol-column", c.symbol, "Column of the symbol")->capture_default_str();
  cmd->add_option("--exchange-column", c.exchange, "Column of the exchange")->capture_default_str();
  cmd->add_option("--time-column", c.time, "Timestamp column of the tick's exchange time")
      ->capture_default_str();
  cmd->add_option("--sequence-column", c.sequence,
                  "Column ordering ticks of the same time (exchange sequence number)")
      ->capture_default_str();
  cmd->add_option("--price-column", c.price, "Column of the price")->capture_default_str();
  cmd->add_option("--volume-column", c.volume, "Column of the volume")->capture_default_str();
  cmd->add_option("--date-column", c.date,
                  "Partition column holding the tick's UTC day (YYYY-MM-DD), used to prune "
                  "partitions when the table has it")
      ->capture_default_str();
  auto* bootstrap =
      cmd->add_option("--bootstrap", f->bootstrap,
                      "HOST:PORT of the Kafka cluster: merge the ticks of --topic that the table "
                      "does not hold yet into every answer");
  cmd->add_option("--topic", f->tail.topic, "The table sink's input topic (with --bootstrap)")
      ->needs(bootstrap);
  bootstrap->needs(cmd->get_option("--topic"));
  cmd->add_option("--stage", f->tail.stage,
                  "The table sink stage's name: its txn app ids are <stage>/<topic>/<partition>")
      ->capture_default_str()
      ->needs(bootstrap);
  cmd->add_option("--tail-max-records", f->tail.max_records,
                  "Most records from Kafka held in memory; at the cap the tail stops reading "
                  "until commits free a quarter")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->needs(bootstrap);
  cmd->add_option("--tail-max-mib", f->tail_max_mib,
                  "Most memory (MiB, estimated) the records from Kafka take; as --tail-max-records")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->needs(bootstrap);
  cmd->add_option("--file-cache-mib", f->file_cache_mib,
                  "MiB of data files kept parsed in memory between requests (0: none)")
      ->check(CLI::Range(int64_t(0), int64_t(1) << 30))
      ->capture_default_str();
  return [f] { return run(*f); };
}

}  // namespace sluice::cli
