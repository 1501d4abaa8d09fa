// `sluice registry`: a schema registry that speaks Confluent Schema Registry's
// REST API (docs/registry.md), storing everything in the compacted `_schemas`
// topic of the cluster at --bootstrap, so Confluent's serializers and the
// runbook's curl commands work against sluice as they do against Confluent's.
//
// Invariant: the port is served only after the topic has been replayed to its
// end, so the first answer already reflects every earlier change. Several
// registries may share the topic: one is elected writer (elected_writer.h) and
// the others forward changes to it.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <memory>

#include "broker/server/listener_config.h"
#include "cli/support/commands.h"
#include "cli/support/kafka_flags.h"
#include "cli/support/stop_signals.h"
#include "common/log.h"
#include "ops/metrics.h"
#include "registry/elected_writer.h"
#include "registry/registry_api.h"
#include "registry/registry_http_server.h"
#include "registry/schemas_log.h"

namespace sluice::cli {
namespace {

struct RegistryFlags {
  KafkaFlags kafka;
  std::string listen = "127.0.0.1:8081";
  std::string topic = "_schemas";
  std::string advertise;  // empty: http://<listen>
};

int run(const RegistryFlags& f) {
  StopSignals stop_signals;

  auto [host, port] = broker::parse_host_port(f.listen);
  const int wait_ms = std::max(f.kafka.timeout_ms, 30000);
  registry::SchemasLog schemas(
      {.endpoint = f.kafka.endpoint(), .topic = f.topic, .wait_ms = wait_ms});
  registry::RegistryHttpServer server(host, port);  // bound: its URL joins the election
  const std::string url =
      f.advertise.empty() ? "http://" + host + ":" + std::to_string(server.port()) : f.advertise;
  registry::ElectedWriter writer(f.kafka.endpoint(), f.topic, url, wait_ms, schemas.writer());
  ops::MetricsRegistry metrics;
  ops::Gauge& is_writer = metrics.gauge(
      "schema_registry_writer", "1 while this registry is the elected writer of its topic, else 0");
  metrics.on_collect([&] { is_writer.set(writer.holds() ? 1 : 0); });
  registry::RegistryApi api(schemas, metrics, &writer);
  server.start(api);
  std::printf("sluice registry listening on http://%s:%d (schemas in topic '%s' on %s)\n",
              host.c_str(), server.port(), f.topic.c_str(), f.kafka.bootstrap.c_str());
  std::fflush(stdout);
  stop_signals.wait("registry");
  server.stop();
  return 0;
}

}  // namespace

Run add_registry_command(CLI::App& app) {
  auto f = std::make_shared<RegistryFlags>();
  CLI::App* cmd = app.add_subcommand(
      "registry",
      "Serve a schema registry with Confluent Schema Registry's REST API, stored in _schemas");
  f->kafka.add_to(cmd);
  cmd->add_option("--listen", f->listen, "HOST:PORT of the REST API (port 0: any free port)")
      ->capture_default_str();
  cmd->add_option("--topic", f->topic, "The compacted topic holding the schemas")
      ->capture_default_str();
  cmd->add_option("--advertise", f->advertise,
                  "URL the other registries on the topic reach this one at (default: "
                  "http://<listen>; set it when listening on 0.0.0.0)");
  return [f] { return run(*f); };
}

}  // namespace sluice::cli
