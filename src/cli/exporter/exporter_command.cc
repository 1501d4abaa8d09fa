// `sluice exporter`: consumer-group lag of any Kafka cluster on a Prometheus
// /metrics page, with the metric names and labels of the built-in broker's own
// page (docs/metrics.md), like kafka-lag-exporter or Burrow do for Kafka; with
// --data-dir also the gauges of that data dir's incident log
// (incident_log_metrics.h). `sluice up` runs one on its reserved admin port
// (admin_ports.h), with --no-lag when its built-in broker exports lag itself.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <memory>
#include <regex>

#include "broker/server/listener_config.h"
#include "cli/exporter/cluster_lag_poller.h"
#include "cli/incident/incident_log.h"
#include "cli/incident/incident_log_metrics.h"
#include "cli/support/admin_token.h"
#include "cli/support/commands.h"
#include "cli/support/kafka_flags.h"
#include "cli/support/stop_signals.h"
#include "common/clock.h"
#include "common/log.h"
#include "ops/admin_server.h"
#include "ops/metrics.h"

namespace sluice::cli {
namespace {

struct ExporterFlags {
  KafkaFlags kafka;
  std::string admin = "127.0.0.1:9308";
  std::string groups = ".*";
  int poll_interval_ms = 15000;
  bool no_lag = false;   // serve only the incident log's gauges
  std::string data_dir;  // empty: no incident gauges
};

std::regex group_pattern(const std::string& text) {
  try {
    return std::regex(text, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw std::invalid_argument("--groups '" + text + "' is not a valid regular expression (" +
                                e.what() + "); e.g. --groups 'claims\\..*'");
  }
}

// Every source of the exporter's page is added here.
void add_sources(ops::MetricsRegistry& registry, const ClusterLagPoller* lag,
                 const std::string& data_dir) {
  if (lag) registry.add_source([lag] { return lag->families(); });
  if (!data_dir.empty()) {
    register_incident_metrics(registry, incident_log_path(data_dir), ResponseTimes(),
                              [] { return now_ms(); });
  }
}

int run(const ExporterFlags& f) {
  StopSignals stop_signals;

  if (f.no_lag && f.data_dir.empty()) {
    throw std::invalid_argument(
        "--no-lag without --data-dir leaves nothing to export; drop --no-lag to export the lag "
        "of " +
        f.kafka.bootstrap + ", or add --data-dir DATA for its incident log");
  }
  std::unique_ptr<ClusterLagPoller> lag;
  if (!f.no_lag) {
    lag = std::make_unique<ClusterLagPoller>(f.kafka.endpoint(), group_pattern(f.groups),
                                             std::chrono::milliseconds(f.poll_interval_ms));
  }
  ops::MetricsRegistry metrics;
  add_sources(metrics, lag.get(), f.data_dir);
  auto [host, port] = broker::parse_host_port(f.admin);
  ops::AdminServer admin(host, port, metrics);
  admin.require_token(server_admin_token(""));  // `sluice up` hands it SLUICE_ADMIN_TOKEN_FILE
  // Ready while the cluster answers; the page is served either way (cluster_up says which).
  if (lag) {
    admin.set_readiness([&lag, &f] {
      return lag->cluster_up()
                 ? ops::HealthStatus{true, "last poll of " + f.kafka.bootstrap + " succeeded"}
                 : ops::HealthStatus{false, "cannot reach " + f.kafka.bootstrap + " (see the log)"};
    });
    lag->start();  // the first poll completes before the page is served
  }
  admin.start();
  const std::string what =
      (lag ? "lag of " + f.kafka.bootstrap + " (groups matching '" + f.groups + "')" : "") +
      (lag && !f.data_dir.empty() ? " and " : "") +
      (f.data_dir.empty() ? "" : "incident log of " + f.data_dir);
  std::printf("sluice exporter: %s, admin on http://%s:%d\n", what.c_str(), host.c_str(),
              admin.port());
  std::fflush(stdout);
  stop_signals.wait("exporter");
  admin.stop();
  if (lag) lag->stop();
  return 0;
}

}  // namespace

Run add_exporter_command(CLI::App& app) {
  auto f = std::make_shared<ExporterFlags>();
  CLI::App* cmd = app.add_subcommand(
      "exporter",
      "Serve consumer-group lag of any Kafka cluster on /metrics (names as the broker's own)");
  f->kafka.add_to(cmd);
  cmd->add_option("--admin", f->admin,
                  "HOST:PORT serving /metrics, /healthz, /readyz (port 0: any)")
      ->capture_default_str();
  cmd->add_option("--groups", f->groups,
                  "Regular expression a group id must match whole to be exported")
      ->capture_default_str();
  cmd->add_option("--poll-interval-ms", f->poll_interval_ms,
                  "How often the cluster is polled (scrapes read the latest poll)")
      ->capture_default_str()
      ->check(CLI::Range(100, 3'600'000));
  cmd->add_option("--data-dir", f->data_dir,
                  "Also export the incident log of this data dir (sluice_incidents_open, "
                  "sluice_incident_overdue; docs/incident.md)");
  cmd->add_flag("--no-lag", f->no_lag,
                "Export no lag (the built-in broker exports its own); needs --data-dir");
  return [f] { return run(*f); };
}

}  // namespace sluice::cli
