// `sluice broker`: runs the built-in single-node Kafka-compatible broker.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>

#include "broker/broker.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/storage/file_handle_cache.h"
#include "broker/storage/log_config.h"
#include "cli/support/commands.h"
#include "cli/support/kafka_flags.h"
#include "common/log.h"
#include "ops/admin_server.h"
#include "ops/metrics.h"

namespace sluice::cli {
namespace {

struct BrokerFlags {
  std::string data_dir;
  std::string listen = "127.0.0.1:9092";
  int32_t partitions = 1;
  bool auto_create = true;
  std::string flush = "always";
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;
  int64_t retention_bytes = -1;
  int64_t segment_bytes = 1LL << 30;
  int32_t max_message_bytes = 1048588;
  int64_t retention_check_ms = 300'000;
  int32_t initial_rebalance_delay_ms = 1000;
  std::string admin;  // HOST:PORT for /healthz, /readyz and /metrics; empty: none
  size_t max_open_files = broker::FileHandleCache::kAutoCapacity;
};

// The broker's own liveness endpoint (runbook: a probe on every process) and its
// metrics (docs/metrics.md: requests, bytes, disk, consumer-group lag). Ready
// means the Kafka listener is bound, which is true once this runs.
std::unique_ptr<ops::AdminServer> start_admin(const std::string& admin,
                                              ops::MetricsRegistry& metrics,
                                              broker::BrokerContext& ctx) {
  if (admin.empty()) return nullptr;
  auto [host, port] = broker::parse_host_port(admin);
  metrics.gauge("sluice_broker_up", "1 while the broker process runs").set(1);
  broker::add_broker_metrics(metrics, ctx);
  auto server = std::make_unique<ops::AdminServer>(host, port, metrics);
  server->set_readiness([] { return ops::HealthStatus{true, "kafka listener bound"}; });
  server->start();
  return server;
}

broker::FlushPolicy parse_flush(const std::string& s) {
  if (s == "always") return {true, 0};
  try {
    size_t used = 0;
    int64_t ms = std::stoll(s, &used);
    if (s.substr(used) == "ms" && ms > 0) return {false, ms};
  } catch (const std::exception&) {
  }
  throw std::invalid_argument("--flush '" + s +
                              "' must be 'always' or an interval such as '200ms'");
}

int run(const BrokerFlags& f) {
  if (f.data_dir.empty())
    throw std::invalid_argument(
        "`sluice broker` needs --data-dir DIR (or use `sluice broker check`)");
  broker::BrokerOptions opts;
  opts.data_dir = f.data_dir;
  std::tie(opts.host, opts.port) = broker::parse_host_port(f.listen);
  opts.auto_create_topics = f.auto_create;
  opts.topic_defaults.partitions = f.partitions;
  auto& log = opts.topic_defaults.log;
  log.flush = parse_flush(f.flush);
  log.retention_ms = f.retention_ms;
  log.retention_bytes = f.retention_bytes;
  log.segment_bytes = f.segment_bytes;
  log.max_message_bytes = f.max_message_bytes;
  opts.groups.initial_rebalance_delay_ms = f.initial_rebalance_delay_ms;
  broker::FileHandleCache::process_wide().set_capacity(f.max_open_files);

  // Block the stop signals before any thread starts, so only the waiter below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  broker::Broker b(opts, {f.retention_check_ms});
  ops::MetricsRegistry metrics;
  auto admin = start_admin(f.admin, metrics, b.context());
  const std::string admin_note = admin ? ", admin on http://" +
                                             broker::parse_host_port(f.admin).first + ":" +
                                             std::to_string(admin->port())
                                       : "";
  std::printf("sluice broker listening on %s:%d (data dir %s, flush %s%s)\n", opts.host.c_str(),
              b.port(), f.data_dir.c_str(), f.flush.c_str(), admin_note.c_str());
  std::fflush(stdout);
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    log::info("broker", "received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    b.stop();
  });
  b.run();
  // run() returned because of a signal (the waiter called stop) or a fatal error;
  // in the latter case wake the waiter so the process can exit.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  log::info("broker", "stopped; all partitions flushed");
  return 0;
}

}  // namespace

Run add_broker_command(CLI::App& app) {
  auto flags = std::make_shared<BrokerFlags>();
  CLI::App* cmd =
      app.add_subcommand("broker", "Run the built-in single-node Kafka-compatible broker");
  cmd->add_option("--data-dir", flags->data_dir,
                  "Directory for topic logs (created if missing; required to run)");
  cmd->add_option("--listen", flags->listen,
                  "HOST:PORT to listen on and advertise (port 0 picks a free one)")
      ->capture_default_str();
  cmd->add_option("--default-partitions", flags->partitions, "Partitions of auto-created topics")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  cmd->add_option("--auto-create-topics", flags->auto_create,
                  "Create unknown topics on Metadata/Produce")
      ->capture_default_str();
  cmd->add_option("--admin", flags->admin,
                  "HOST:PORT serving /healthz, /readyz and /metrics (port 0: any)");
  cmd->add_option("--flush", flags->flush,
                  "'always' (fdatasync before acknowledging) or an interval like 200ms")
      ->capture_default_str();
  cmd->add_option("--retention-ms", flags->retention_ms, "Default retention.ms (-1: keep forever)")
      ->capture_default_str();
  cmd->add_option("--retention-bytes", flags->retention_bytes,
                  "Default retention.bytes per partition (-1: no limit)")
      ->capture_default_str();
  cmd->add_option("--segment-bytes", flags->segment_bytes, "Default segment.bytes")
      ->capture_default_str();
  cmd->add_option("--max-message-bytes", flags->max_message_bytes,
                  "Default max.message.bytes (largest batch)")
      ->capture_default_str();
  cmd->add_option("--retention-check-interval-ms", flags->retention_check_ms,
                  "How often retention runs")
      ->capture_default_str();
  cmd->add_option("--group-initial-rebalance-delay-ms", flags->initial_rebalance_delay_ms,
                  "How long a new group waits for more members before its first rebalance")
      ->capture_default_str();
  cmd->add_option("--max-open-segment-files", flags->max_open_files,
                  "Segment and index files kept open at once, least recently used closed first "
                  "(0: half the soft open-files limit at start)")
      ->capture_default_str()
      ->check(CLI::Range(size_t(0), size_t(1) << 30));
  cmd->require_subcommand(0, 1);
  auto check_flags = std::make_shared<KafkaFlags>();
  CLI::App* check_cmd =
      cmd->add_subcommand("check", "Check that a Kafka cluster (any, not only ours) is reachable");
  check_flags->add_to(check_cmd);
  auto check_json = std::make_shared<bool>(false);
  check_cmd->add_flag("--json", *check_json,
                      "One JSON object: round trip, cluster id, controller, topics, brokers");
  return [flags, check_flags, check_cmd, check_json] {
    return check_cmd->parsed() ? run_broker_check(*check_flags, *check_json) : run(*flags);
  };
}

}  // namespace sluice::cli
