// The single-node broker: storage (recovered on start), the group coordinator,
// the Kafka listeners (an event loop, server/event_server.h), a maintenance
// thread for flushes, retention and group timeouts, and the log cleaner's thread
// (compaction, which may take long, so it never delays the others).
#pragma once

#include <memory>
#include <thread>

#include "broker/broker_context.h"
#include "broker/server/event_server.h"
#include "broker/storage/data_dir_lock.h"
#include "broker/transactions/transaction_coordinator.h"

namespace sluice::broker {

struct MaintenanceOptions {
  int64_t retention_check_interval_ms = 300'000;  // log.retention.check.interval.ms
  // How long the log cleaner sleeps when no compacted partition was due
  // (log.cleaner.backoff.ms).
  int64_t cleaner_backoff_ms = 15'000;
  CleanerOptions cleaner;
};

class Broker {
 public:
  // Checks the listeners (std::invalid_argument: 0.0.0.0 without an advertised
  // address, an advertised 0.0.0.0), raises the open-file limit, recovers every
  // partition under options.data_dir and binds the listeners. Throws
  // std::runtime_error with an operator-readable reason on failure.
  Broker(BrokerOptions options, MaintenanceOptions maintenance = {});
  ~Broker();

  // The first listener's bound port.
  int port() const { return ctx_->options.listeners.front().port; }
  const BrokerContext& context() const { return *ctx_; }
  // For readers that query the group coordinator (its calls take its lock), e.g. metrics.
  BrokerContext& context() { return *ctx_; }
  // Serves until stop(); flushes every partition before returning.
  void run();
  void stop();

 private:
  void maintenance_loop();
  void cleaner_loop();
  void start_authorizer();  // loads the ACLs when options.authorizer says so

  MaintenanceOptions maintenance_;
  // First member, so it is released last: the directory stays ours until
  // everything that writes to it has closed.
  std::unique_ptr<DataDirLock> dir_lock_;
  std::unique_ptr<BrokerDefaults> broker_defaults_;
  std::unique_ptr<TopicStore> topics_;
  std::unique_ptr<OffsetStore> offsets_;
  std::unique_ptr<GroupCoordinator> groups_;
  std::unique_ptr<ProducerIdAllocator> producer_ids_;
  std::unique_ptr<security::ScramCredentialStore> credentials_;
  std::unique_ptr<acl::AclStore> acls_;  // only with an authorizer
  std::unique_ptr<acl::Authorizer> authorizer_;
  std::unique_ptr<BrokerContext> ctx_;
  std::unique_ptr<transactions::TransactionCoordinator> transactions_;
  std::unique_ptr<EventServer> server_;
  std::thread maintenance_thread_;
  std::thread cleaner_thread_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
};

}  // namespace sluice::broker
