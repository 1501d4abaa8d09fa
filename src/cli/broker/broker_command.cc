// `sluice broker`: runs the built-in single-node Kafka-compatible broker.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <memory>
#include <sstream>
#include <thread>
#include <tuple>
#include <vector>

#include "broker/broker.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/security/super_users.h"
#include "broker/storage/file_handle_cache.h"
#include "broker/storage/log_config.h"
#include "cli/support/commands.h"
#include "cli/support/kafka_flags.h"
#include "cli/support/stop_signals.h"
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
  int64_t cleaner_backoff_ms = 15'000;
  int64_t cleaner_dedupe_buffer_bytes = 128LL << 20;
  int32_t initial_rebalance_delay_ms = 1000;
  int32_t consumer_session_timeout_ms = 45000;    // group.consumer.session.timeout.ms
  int32_t consumer_heartbeat_interval_ms = 5000;  // group.consumer.heartbeat.interval.ms
  std::string admin;                   // HOST:PORT for /healthz, /readyz and /metrics; empty: none
  std::string advertise;               // advertised.listeners for --listen; empty: as bound
  std::vector<std::string> listeners;  // more listeners, NAME=PROTOCOL://HOST:PORT
  broker::BrokerOptions network;       // the connection limits' defaults and values
  std::string security_protocol = "PLAINTEXT";  // of the --listen listener
  std::string sasl_mechanisms = "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512";
  std::string super_users;
  std::string authorizer;                // authorizer.class.name: "" or "acl"
  std::string ssl_client_auth = "none";  // ssl.client.auth
  size_t max_open_files = broker::FileHandleCache::kAutoCapacity;
};

// --security-protocol, --sasl-enabled-mechanisms, --super-users (docs/security.md).
void apply_security_flags(const BrokerFlags& f, broker::BrokerOptions& opts) {
  opts.sasl_enabled_mechanisms.clear();
  std::stringstream list(f.sasl_mechanisms);
  for (std::string m; std::getline(list, m, ',');) {
    if (m.empty()) continue;
    if (m != "PLAIN" && m != "SCRAM-SHA-256" && m != "SCRAM-SHA-512") {
      throw std::invalid_argument("--sasl-enabled-mechanisms: '" + m +
                                  "' is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512");
    }
    opts.sasl_enabled_mechanisms.push_back(m);
  }
  bool sasl_listener = false;
  for (const broker::ListenerConfig& l : opts.listeners)
    sasl_listener = sasl_listener || l.security_protocol.starts_with("SASL_");
  if (sasl_listener && opts.sasl_enabled_mechanisms.empty())
    throw std::invalid_argument(
        "a SASL listener needs at least one mechanism in "
        "--sasl-enabled-mechanisms");
  opts.super_users = broker::security::parse_super_users(f.super_users);
  opts.tls.client_auth = broker::parse_tls_client_auth(f.ssl_client_auth);
}

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

// --listen is the first listener (PLAINTEXT unless --security-protocol says
// otherwise; advertised as --advertise says); each --listener adds one more.
std::vector<broker::ListenerConfig> listeners_of(const BrokerFlags& f) {
  std::vector<broker::ListenerConfig> out(1);
  std::tie(out[0].host, out[0].port) = broker::parse_host_port(f.listen);
  out[0].name = out[0].security_protocol = f.security_protocol;
  if (!f.advertise.empty()) {
    std::tie(out[0].advertised_host, out[0].advertised_port) = broker::parse_host_port(f.advertise);
  }
  for (const std::string& spec : f.listeners) out.push_back(broker::parse_listener(spec));
  return out;
}

int run(const BrokerFlags& f) {
  if (f.data_dir.empty())
    throw std::invalid_argument(
        "`sluice broker` needs --data-dir DIR (or use `sluice broker check`)");
  broker::BrokerOptions opts = f.network;
  opts.data_dir = f.data_dir;
  opts.listeners = listeners_of(f);
  opts.auto_create_topics = f.auto_create;
  opts.topic_defaults.partitions = f.partitions;
  auto& log = opts.topic_defaults.log;
  log.flush = parse_flush(f.flush);
  log.retention_ms = f.retention_ms;
  log.retention_bytes = f.retention_bytes;
  log.segment_bytes = f.segment_bytes;
  log.max_message_bytes = f.max_message_bytes;
  opts.groups.initial_rebalance_delay_ms = f.initial_rebalance_delay_ms;
  opts.groups.consumer.session_timeout_ms = f.consumer_session_timeout_ms;
  opts.groups.consumer.heartbeat_interval_ms = f.consumer_heartbeat_interval_ms;
  apply_security_flags(f, opts);
  opts.authorizer = f.authorizer;
  broker::FileHandleCache::process_wide().set_capacity(f.max_open_files);

  // Block the stop signals before any thread starts, so only the waiter below sees them.
  StopSignals stop_signals;
  // A write to a connection the client already closed must fail with EPIPE, which
  // closes that connection, not kill the broker: plain sockets are written with
  // MSG_NOSIGNAL, but OpenSSL's socket BIO (TLS listeners) writes with write(2).
  std::signal(SIGPIPE, SIG_IGN);

  broker::Broker b(
      opts, {f.retention_check_ms, f.cleaner_backoff_ms, {size_t(f.cleaner_dedupe_buffer_bytes)}});
  ops::MetricsRegistry metrics;
  auto admin = start_admin(f.admin, metrics, b.context());
  const std::string admin_note = admin ? ", admin on http://" +
                                             broker::parse_host_port(f.admin).first + ":" +
                                             std::to_string(admin->port())
                                       : "";
  const broker::ListenerConfig& first = b.context().options.listeners.front();
  std::printf("sluice broker listening on %s:%d (advertised as %s:%d, data dir %s, flush %s%s)\n",
              first.host.c_str(), first.port, first.advertised_host.c_str(), first.advertised_port,
              f.data_dir.c_str(), f.flush.c_str(), admin_note.c_str());
  for (const broker::ListenerConfig& l : b.context().options.listeners) {
    if (l.security_protocol.ends_with("SSL"))
      log::info("broker", "{} listener {}: TLS with certificate {}, client certificates {}",
                l.security_protocol, l.name, opts.tls.certificate_file, f.ssl_client_auth);
    if (!l.security_protocol.starts_with("SASL_")) continue;
    log::info("broker", "{} listener {}: SASL mechanisms {}, super users '{}'", l.security_protocol,
              l.name, f.sasl_mechanisms, f.super_users);
  }
  std::fflush(stdout);
  std::thread waiter([&] {
    stop_signals.wait("broker");
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

// Listeners and Kafka's connection limits, under Kafka's names (docs/broker.md, "Networking").
void add_network_flags(CLI::App* cmd, BrokerFlags& f) {
  cmd->add_option("--advertise", f.advertise,
                  "HOST:PORT that Metadata and FindCoordinator give clients for --listen "
                  "(advertised.listeners; required when listening on 0.0.0.0; port 0: the bound "
                  "port)");
  cmd->add_option("--listener", f.listeners,
                  "Another listener, NAME=PROTOCOL://HOST:PORT (repeatable; PROTOCOL is PLAINTEXT, "
                  "SASL_PLAINTEXT, SSL or SASL_SSL)");
  broker::BrokerOptions& n = f.network;
  cmd->add_option("--num-io-threads", n.num_io_threads,
                  "Threads running request handlers (num.io.threads)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_option("--max-group-wait-threads", n.max_group_wait_threads,
                  "Threads that may wait in JoinGroup or SyncGroup at once during rebalances; "
                  "more such requests queue until one finishes")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--transaction-max-timeout-ms", n.transaction_max_timeout_ms,
                  "Largest transaction.timeout.ms a transactional producer may ask for; a larger "
                  "one is refused (transaction.max.timeout.ms)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-connections", n.max_connections,
                  "Connections open at once; more are closed at accept (max.connections)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-connections-per-ip", n.max_connections_per_ip,
                  "Connections open at once from one IP address (max.connections.per.ip)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--connections-max-idle-ms", n.connections_max_idle_ms,
                  "Close a connection after this long without a byte (connections.max.idle.ms; "
                  "0: never)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--socket-request-max-bytes", n.max_request_bytes,
                  "Largest request frame accepted; a larger one closes the connection "
                  "(socket.request.max.bytes)")
      ->capture_default_str()
      ->check(CLI::Range(1024, INT32_MAX));
  cmd->add_option("--queued-max-request-bytes", n.queued_max_request_bytes,
                  "Request bytes held in memory at once, partial frames included; over it the "
                  "broker stops reading sockets until requests finish (queued.max.request.bytes)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
}

// TLS for SSL and SASL_SSL listeners, PEM files (docs/security.md, "TLS").
void add_tls_flags(CLI::App* cmd, BrokerFlags& f) {
  broker::TlsSettings& tls = f.network.tls;
  cmd->add_option("--ssl-certificate", tls.certificate_file,
                  "PEM file with the broker's certificate chain (SSL and SASL_SSL listeners)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--ssl-key", tls.key_file, "PEM file with the private key of --ssl-certificate")
      ->check(CLI::ExistingFile);
  cmd->add_option("--ssl-ca", tls.ca_file,
                  "PEM file with the CAs client certificates must chain to (with "
                  "--ssl-client-auth)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--ssl-client-auth", f.ssl_client_auth,
                  "Client certificates: none, requested (verified when sent) or required "
                  "(ssl.client.auth); on SSL listeners the principal is User:<subject DN>")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "requested", "required"}));
}

Run add_broker_command(CLI::App& app) {
  auto flags = std::make_shared<BrokerFlags>();
  CLI::App* cmd =
      app.add_subcommand("broker", "Run the built-in single-node Kafka-compatible broker");
  cmd->add_option("--data-dir", flags->data_dir,
                  "Directory for topic logs (created if missing; required to run)");
  cmd->add_option("--listen", flags->listen,
                  "HOST:PORT to listen on (--security-protocol, PLAINTEXT by default; port 0 "
                  "picks a free one); advertised as is unless --advertise is given")
      ->capture_default_str();
  add_network_flags(cmd, *flags);
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
  cmd->add_option("--log-cleaner-backoff-ms", flags->cleaner_backoff_ms,
                  "How long the log cleaner (cleanup.policy=compact) sleeps when no partition "
                  "needed compacting")
      ->check(CLI::Range(int64_t(1), int64_t(86'400'000)))
      ->capture_default_str();
  cmd->add_option("--log-cleaner-dedupe-buffer-size", flags->cleaner_dedupe_buffer_bytes,
                  "Memory for one compaction pass's key map; a larger dirty part is compacted "
                  "over several passes")
      ->check(CLI::Range(int64_t(1) << 20, int64_t(1) << 40))
      ->capture_default_str();
  cmd->add_option("--group-initial-rebalance-delay-ms", flags->initial_rebalance_delay_ms,
                  "How long a new group waits for more members before its first rebalance")
      ->capture_default_str();
  cmd->add_option("--group-consumer-session-timeout-ms", flags->consumer_session_timeout_ms,
                  "KIP-848 consumer groups (group.protocol=consumer): how long a silent member "
                  "keeps its partitions (group.consumer.session.timeout.ms)")
      ->capture_default_str()
      ->check(CLI::Range(1000, 1800000));
  cmd->add_option("--group-consumer-heartbeat-interval-ms", flags->consumer_heartbeat_interval_ms,
                  "KIP-848 consumer groups: how often members heartbeat "
                  "(group.consumer.heartbeat.interval.ms)")
      ->capture_default_str()
      ->check(CLI::Range(100, 600000));
  cmd->add_option("--security-protocol", flags->security_protocol,
                  "Of --listen: PLAINTEXT, SASL_PLAINTEXT to require SASL authentication "
                  "(users: `sluice users add`), SSL for TLS, SASL_SSL for both")
      ->capture_default_str()
      ->check(CLI::IsMember({"PLAINTEXT", "SASL_PLAINTEXT", "SSL", "SASL_SSL"}));
  add_tls_flags(cmd, *flags);
  cmd->add_option("--sasl-enabled-mechanisms", flags->sasl_mechanisms,
                  "Comma-separated SASL mechanisms offered (sasl.enabled.mechanisms)")
      ->capture_default_str();
  cmd->add_option("--authorizer", flags->authorizer,
                  "'acl': ACLs decide every request, no ACL means no access (Kafka's "
                  "authorizer.class.name; manage them with `sluice acls`)")
      ->check(CLI::IsMember({"", "acl"}));
  cmd->add_option("--super-users", flags->super_users,
                  "Principals allowed everything, e.g. 'User:admin;User:ops' (Kafka's "
                  "super.users); the only ones who may manage SCRAM credentials on a SASL "
                  "listener");
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
