#include "broker/metrics/broker_metrics.h"

#include <filesystem>
#include <map>
#include <system_error>

#include "broker/handlers/handlers.h"
#include "broker/metrics/broker_lag_reader.h"
#include "broker/storage/log_cleaner.h"
#include "broker/storage/storage_error.h"
#include "broker/storage/sync_stats.h"
#include "common/clock.h"

namespace sluice::broker {
namespace {

using ops::CollectedFamily;

CollectedFamily family(std::string name, std::string help, CollectedFamily::Type type) {
  return CollectedFamily{
      .name = std::move(name), .help = std::move(help), .type = type, .samples = {}};
}

std::string api_name(int16_t key) {
  const handlers::ApiSpec* api = handlers::find_api(key);
  return api ? api->name : "unknown";
}

// Every served API appears from the start (at 0), so rate() sees the first request.
void add_request_families(std::vector<CollectedFamily>& out, const RequestStats& stats) {
  std::map<std::string, RequestStats::ApiCounts> by_name;
  for (const handlers::ApiSpec& api : handlers::supported_apis())
    by_name[api.name].api_key = api.key;
  for (const RequestStats::ApiCounts& c : stats.per_api()) {
    RequestStats::ApiCounts& total = by_name[api_name(c.api_key)];
    total.requests += c.requests;
    total.errors += c.errors;
  }
  auto requests =
      family("sluice_broker_requests_total", "Kafka requests received, by API (Kafka's API names)",
             CollectedFamily::Type::kCounter);
  auto errors = family("sluice_broker_request_errors_total",
                       "Kafka requests the broker could not answer (unknown API, unsupported "
                       "version, malformed, handler failure), by API",
                       CollectedFamily::Type::kCounter);
  for (const auto& [name, c] : by_name) {
    requests.samples.push_back({{{"api", name}}, double(c.requests)});
    errors.samples.push_back({{{"api", name}}, double(c.errors)});
  }
  out.push_back(std::move(requests));
  out.push_back(std::move(errors));

  auto in = family("sluice_broker_received_bytes_total",
                   "Bytes of Kafka requests received (frames with their size prefix)",
                   CollectedFamily::Type::kCounter);
  in.samples.push_back({{}, double(stats.bytes_received())});
  auto sent = family("sluice_broker_sent_bytes_total",
                     "Bytes of Kafka responses sent (frames with their size prefix)",
                     CollectedFamily::Type::kCounter);
  sent.samples.push_back({{}, double(stats.bytes_sent())});
  out.push_back(std::move(in));
  out.push_back(std::move(sent));
}

// The event loop's view (server/event_server.h): what is open, what was turned
// away and why, and the memory held by requests against queued.max.request.bytes.
void add_connection_families(std::vector<CollectedFamily>& out, const ConnectionStats& stats) {
  const auto gauge = CollectedFamily::Type::kGauge;
  auto add = [&](std::string name, std::string help, CollectedFamily::Type type, double v) {
    auto f = family(std::move(name), std::move(help), type);
    f.samples.push_back({{}, v});
    out.push_back(std::move(f));
  };
  add("sluice_broker_connections", "Client connections open now", gauge, double(stats.open.load()));
  add("sluice_broker_connections_accepted_total", "Client connections accepted",
      CollectedFamily::Type::kCounter, double(stats.accepted.load()));
  auto refused = family("sluice_broker_connections_refused_total",
                        "Connections the broker turned away or closed by its own limits, by "
                        "reason: max_connections, max_connections_per_ip, idle "
                        "(connections.max.idle.ms), fd_exhausted (accept failed for lack of "
                        "descriptors and was paused)",
                        CollectedFamily::Type::kCounter);
  for (size_t r = 0; r < size_t(ConnectionStats::Refusal::kCount); ++r) {
    auto reason = ConnectionStats::Refusal(r);
    refused.samples.push_back({{{"reason", std::string(ConnectionStats::reason_name(reason))}},
                               double(stats.refusals(reason))});
  }
  out.push_back(std::move(refused));
  add("sluice_broker_queued_request_bytes",
      "Request bytes held in memory now, partial frames included (budget: "
      "queued.max.request.bytes)",
      gauge, double(stats.queued_request_bytes.load()));
  add("sluice_broker_parked_fetches", "Fetch requests waiting for data, holding no thread", gauge,
      double(stats.parked_fetches.load()));
  add("sluice_broker_tls_handshake_failures_total",
      "TLS handshakes that failed on SSL and SASL_SSL listeners (untrusted or missing client "
      "certificate, a client not speaking TLS); each is logged with the peer and the reason",
      CollectedFamily::Type::kCounter, double(stats.tls_handshake_failures.load()));
  add("sluice_broker_network_threads",
      "Threads of the broker's network: the I/O thread, num.io.threads workers and the elastic "
      "threads serving JoinGroup/SyncGroup",
      gauge, double(stats.server_threads.load()));
}

void add_storage_families(std::vector<CollectedFamily>& out, const BrokerContext& ctx) {
  double topics = 0, partitions = 0, log_bytes = 0;
  for (const TopicStore::TopicInfo& t : ctx.topics.list()) {
    ++topics;
    for (int32_t p = 0; p < t.partitions; ++p) {
      if (auto log = ctx.topics.partition(t.name, p)) {
        ++partitions;
        log_bytes += double(log->size_bytes());
      }
    }
  }
  const auto gauge = CollectedFamily::Type::kGauge;
  auto add = [&](std::string name, std::string help, double v) {
    auto f = family(std::move(name), std::move(help), gauge);
    f.samples.push_back({{}, v});
    out.push_back(std::move(f));
  };
  add("sluice_broker_topics", "Topics on the broker", topics);
  add("sluice_broker_partitions", "Partitions on the broker, over all topics", partitions);
  add("sluice_broker_log_size_bytes", "Bytes of every partition's segments in the data dir",
      log_bytes);
  auto counter = [&](std::string name, std::string help, double v) {
    auto f = family(std::move(name), std::move(help), CollectedFamily::Type::kCounter);
    f.samples.push_back({{}, v});
    out.push_back(std::move(f));
  };
  counter("sluice_broker_log_commits_total",
          "Produce commits that waited for an fdatasync (flush always); divided by "
          "sluice_broker_log_syncs_total: requests served per sync (group commit)",
          double(log_commits()));
  counter("sluice_broker_log_syncs_total",
          "fdatasyncs the partition logs ran for commits and interval flushes (not rolls)",
          double(log_syncs()));
  const CleanerTotals cleaner = cleaner_totals();
  counter("sluice_broker_log_cleaner_passes_total",
          "Compaction passes (cleanup.policy=compact) that rewrote a partition's segments",
          double(cleaner.passes));
  counter("sluice_broker_log_cleaner_read_bytes_total", "Bytes the log cleaner read",
          double(cleaner.stats.bytes_read));
  counter("sluice_broker_log_cleaner_written_bytes_total",
          "Bytes the log cleaner wrote; read minus written is what compaction freed",
          double(cleaner.stats.bytes_written));
  counter("sluice_broker_log_cleaner_removed_records_total",
          "Records compaction removed: superseded by a later record of their key, expired "
          "tombstones, keyless records and records of aborted transactions",
          double(cleaner.stats.records_read - cleaner.stats.records_kept));
  auto refused = family("sluice_broker_storage_errors_total",
                        "Writes the data dir's disk refused (full, quota, read-only, I/O error), "
                        "answered KAFKA_STORAGE_ERROR (append) or NOT_COORDINATOR (offset_commit)",
                        CollectedFamily::Type::kCounter);
  refused.samples.push_back(
      {{{"operation", "append"}}, double(storage_errors(StorageWrite::kPartitionAppend))});
  refused.samples.push_back(
      {{{"operation", "offset_commit"}}, double(storage_errors(StorageWrite::kOffsetCommit))});
  out.push_back(std::move(refused));
  std::error_code ec;
  const std::filesystem::space_info space = std::filesystem::space(ctx.options.data_dir, ec);
  if (!ec) {
    add("sluice_broker_filesystem_size_bytes", "Size of the filesystem holding the data dir",
        double(space.capacity));
    add("sluice_broker_filesystem_avail_bytes",
        "Bytes still available to the broker on the filesystem holding the data dir",
        double(space.available));
  }
}

// Requests the authorizer refused (docs/security.md); present only with an
// authorizer, a series appearing with its first denial.
void add_authorization_families(std::vector<CollectedFamily>& out, const BrokerContext& ctx) {
  if (!ctx.authorizer) return;
  auto denials = family("sluice_broker_authorization_denials_total",
                        "Requests or parts of requests refused by the ACL authorizer, by "
                        "resource type and operation",
                        CollectedFamily::Type::kCounter);
  for (const auto& [key, n] : ctx.denials.counts()) {
    denials.samples.push_back({{{"resource_type", std::string(acl::name_of(key.first))},
                                {"operation", std::string(acl::name_of(key.second))}},
                               double(n)});
  }
  out.push_back(std::move(denials));
}

// SASL logins by mechanism and result; a series appears with its first login.
void add_authentication_families(std::vector<CollectedFamily>& out, const BrokerContext& ctx) {
  auto logins = family("sluice_broker_authentications_total",
                       "SASL authentications by mechanism and result (success, failure)",
                       CollectedFamily::Type::kCounter);
  for (const auto& [key, n] : ctx.authentications.counts()) {
    logins.samples.push_back(
        {{{"mechanism", key.first}, {"result", key.second ? "success" : "failure"}}, double(n)});
  }
  out.push_back(std::move(logins));
}

}  // namespace

std::vector<CollectedFamily> broker_families(const BrokerContext& ctx) {
  std::vector<CollectedFamily> out;
  add_request_families(out, ctx.requests);
  add_connection_families(out, ctx.connections);
  add_storage_families(out, ctx);
  add_authorization_families(out, ctx);
  add_authentication_families(out, ctx);
  return out;
}

void add_broker_metrics(ops::MetricsRegistry& registry, BrokerContext& ctx) {
  registry.add_source([&ctx] { return broker_families(ctx); });
  auto lag = std::make_shared<BrokerLagReader>(ctx);
  registry.add_source([lag] { return ops::lag_families(lag->read(now_ms())); });
}

}  // namespace sluice::broker
