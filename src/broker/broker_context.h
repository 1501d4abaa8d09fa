// What request handlers share: the topic store, the broker's options, and the
// signal that new data arrived (for long-polling fetches). Handlers hold no
// state of their own; everything they change lives here or below.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "broker/acl/acl_authorizer.h"
#include "broker/acl/denials.h"
#include "broker/groups/group_coordinator.h"
#include "broker/producers/producer_ids.h"
#include "broker/producers/producer_registry.h"
#include "broker/security/authentication_stats.h"
#include "broker/security/scram_credential_store.h"
#include "broker/server/connection_stats.h"
#include "broker/server/listener_config.h"
#include "broker/server/request_stats.h"
#include "broker/server/tls_transport.h"
#include "broker/storage/broker_defaults.h"
#include "broker/storage/topic_store.h"

namespace sluice::broker {

namespace transactions {
class TransactionCoordinator;
}

struct BrokerOptions {
  std::filesystem::path data_dir;
  // Kafka's listeners / advertised.listeners; the first is the default one.
  std::vector<ListenerConfig> listeners{ListenerConfig{}};
  int32_t node_id = 0;
  std::string cluster_id = "sluice-single-node";
  bool auto_create_topics = true;
  TopicDefaults topic_defaults;
  CoordinatorOptions groups;
  int32_t transaction_max_timeout_ms = 900000;  // transaction.max.timeout.ms
  // Connection limits, with Kafka's names (docs/broker.md, "Networking").
  int32_t max_request_bytes = 100 * 1024 * 1024;  // socket.request.max.bytes
  int32_t num_io_threads = 8;                     // num.io.threads
  // Threads that may wait in JoinGroup/SyncGroup at once; more such requests queue.
  int32_t max_group_wait_threads = 1000;
  int64_t max_connections = 16384;                         // max.connections
  int64_t max_connections_per_ip = INT32_MAX;              // max.connections.per.ip
  int64_t connections_max_idle_ms = 600'000;               // connections.max.idle.ms
  int64_t queued_max_request_bytes = 512LL * 1024 * 1024;  // queued.max.request.bytes
  // authorizer.class.name: "" (none: every request is allowed) or "acl" (the
  // ACLs in <data dir>/acls decide, docs/security.md).
  std::string authorizer;
  std::set<std::string> super_users;  // super.users, principals as "User:NAME"
  // ssl.keystore.*, ssl.truststore.certificates, ssl.client.auth (PEM files) for SSL and
  // SASL_SSL listeners (docs/security.md, "TLS").
  TlsSettings tls;

  // The listener a session came in on (by name), else the first: what Metadata
  // and FindCoordinator advertise to that client.
  const ListenerConfig& listener(const std::string& name) const {
    for (const ListenerConfig& l : listeners)
      if (l.name == name) return l;
    return listeners.front();
  }
  // Authentication (docs/security.md): the mechanisms SASL listeners offer.
  std::vector<std::string> sasl_enabled_mechanisms = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};
};

// A version counter bumped on every append; fetchers wait for it to move,
// either blocked in wait() or parked by the server, which on_notify() wakes.
class DataSignal {
 public:
  // Called after every notify(), outside the lock, from the notifying thread.
  // Set once, before any thread notifies.
  void on_notify(std::function<void()> hook) { hook_ = std::move(hook); }
  uint64_t version() const {
    std::lock_guard lock(mu_);
    return version_;
  }
  void notify() {
    {
      std::lock_guard lock(mu_);
      ++version_;
    }
    cv_.notify_all();
    if (hook_) hook_();
  }
  // Waits until the version differs from `seen` or `deadline` passes.
  template <typename TimePoint>
  void wait(uint64_t seen, TimePoint deadline) {
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, deadline, [&] { return version_ != seen; });
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t version_ = 0;
  std::function<void()> hook_;
};

struct BrokerContext {
  BrokerOptions options;
  TopicStore& topics;
  GroupCoordinator& groups;
  ProducerIdAllocator& producer_ids;
  ProducerRegistry producers;
  DataSignal data;
  std::atomic<bool> stopping_flag{false};
  RequestStats requests;        // what connections received and answered, for metrics
  ConnectionStats connections;  // what the event loop accepted, refused and holds
  // SCRAM (and PLAIN) logins; set by Broker, null only in unit tests without SASL.
  security::ScramCredentialStore* credentials = nullptr;
  security::AuthenticationStats authentications;  // SASL logins, for metrics
  acl::Authorizer* authorizer = nullptr;          // null: authorization is off
  acl::Denials denials;                           // requests the authorizer refused
  // The topic defaults admin clients may change (kafka-configs --entity-type
  // brokers); set by Broker, null only in unit tests.
  BrokerDefaults* broker_defaults = nullptr;
  // Transactional ids and their transactions; set by Broker, null in unit tests
  // that do not set one up (the transaction APIs then answer COORDINATOR_NOT_AVAILABLE).
  transactions::TransactionCoordinator* transactions = nullptr;

  bool stopping() const { return stopping_flag; }
};

}  // namespace sluice::broker
