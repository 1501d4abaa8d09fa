#include "broker/broker.h"

#include "broker/server/fd_limit.h"
#include "broker/storage/data_dir_format.h"
#include "broker/transactions/broker_effects.h"
#include "common/clock.h"
#include "common/log.h"

namespace sluice::broker {

Broker::Broker(BrokerOptions options, MaintenanceOptions maintenance) : maintenance_(maintenance) {
  validate_listeners(options.listeners);
  raise_fd_limit();
  dir_lock_ = std::make_unique<DataDirLock>(options.data_dir, "sluice broker");
  // Before anything reads the directory: refuses a newer format, migrates an older one.
  options.cluster_id = open_data_dir(options.data_dir).cluster_id;
  // The flags' topic defaults, under what admin clients changed since (kafka-configs).
  broker_defaults_ = std::make_unique<BrokerDefaults>(options.data_dir, options.topic_defaults.log);
  options.topic_defaults.log = broker_defaults_->effective();
  topics_ = std::make_unique<TopicStore>(options.data_dir, options.topic_defaults);
  offsets_ = std::make_unique<OffsetStore>(options.data_dir / "groups",
                                           options.topic_defaults.log.flush.always);
  groups_ = std::make_unique<GroupCoordinator>(*offsets_, options.groups);
  producer_ids_ = std::make_unique<ProducerIdAllocator>(options.data_dir);
  credentials_ = std::make_unique<security::ScramCredentialStore>(options.data_dir);
  ctx_ = std::unique_ptr<BrokerContext>(
      new BrokerContext{std::move(options), *topics_, *groups_, *producer_ids_, {}, {}, {}, {}});
  ctx_->credentials = credentials_.get();
  ctx_->broker_defaults = broker_defaults_.get();
  // Replays the transaction log and finishes the markers a crash interrupted,
  // before any client can read a partition (docs/transactions.md).
  transactions_ = std::make_unique<transactions::TransactionCoordinator>(
      ctx_->options.data_dir,
      transactions::TransactionOptions{ctx_->options.transaction_max_timeout_ms,
                                       ctx_->options.topic_defaults.log.flush.always},
      transactions::broker_effects(*ctx_));
  transactions_->recover();
  ctx_->transactions = transactions_.get();
  start_authorizer();
  server_ = std::make_unique<EventServer>(*ctx_);
  // Advertise the port actually bound unless told otherwise, so --listen HOST:0 works.
  for (ListenerConfig& l : ctx_->options.listeners) {
    if (l.advertised_host.empty()) l.advertised_host = l.host;
    if (l.advertised_port == 0) l.advertised_port = l.port;
    log::info("broker", "listener {} ({}) on {}:{}, advertised as {}:{}", l.name,
              l.security_protocol, l.host, l.port, l.advertised_host, l.advertised_port);
  }
}

void Broker::start_authorizer() {
  const BrokerOptions& o = ctx_->options;
  if (o.authorizer.empty()) return;
  if (o.authorizer != "acl")
    throw std::runtime_error("unknown authorizer '" + o.authorizer + "'; the one there is: acl");
  acls_ = std::make_unique<acl::AclStore>(o.data_dir);
  authorizer_ = std::make_unique<acl::Authorizer>(*acls_, o.super_users);
  ctx_->authorizer = authorizer_.get();
  log::info("broker", "authorizer on: {} ACL(s) from {}, {} super user(s); no ACL means no access",
            acls_->snapshot()->size(), acl::AclStore::file_in(o.data_dir).string(),
            o.super_users.size());
}

Broker::~Broker() {
  stop();
  if (maintenance_thread_.joinable()) maintenance_thread_.join();
  if (cleaner_thread_.joinable()) cleaner_thread_.join();
}

void Broker::run() {
  maintenance_thread_ = std::thread([this] { maintenance_loop(); });
  cleaner_thread_ = std::thread([this] { cleaner_loop(); });
  server_->run();
  {
    std::lock_guard lock(stop_mu_);
    ctx_->stopping_flag = true;
  }
  stop_cv_.notify_all();
  maintenance_thread_.join();
  cleaner_thread_.join();
  topics_->flush_all();
}

void Broker::stop() {
  {
    std::lock_guard lock(stop_mu_);
    ctx_->stopping_flag = true;
  }
  stop_cv_.notify_all();
  ctx_->data.notify();  // wake long-polling fetches so their connections can close
  groups_->shutdown();  // and parked JoinGroup/SyncGroup calls
  server_->stop();
}

void Broker::maintenance_loop() {
  int64_t next_retention = mono_ms() + maintenance_.retention_check_interval_ms;
  std::unique_lock lock(stop_mu_);
  while (!ctx_->stopping()) {
    stop_cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return ctx_->stopping(); });
    lock.unlock();
    try {
      topics_->flush_due();
      groups_->tick();
      transactions_->tick(now_ms());
      if (mono_ms() >= next_retention) {
        size_t removed = topics_->enforce_retention(now_ms());
        if (removed > 0) log::info("broker", "retention removed {} segment(s)", removed);
        next_retention = mono_ms() + maintenance_.retention_check_interval_ms;
      }
    } catch (const std::exception& e) {
      log::error("broker", "maintenance failed: {}", e.what());
    }
    lock.lock();
  }
}

void Broker::cleaner_loop() {
  auto stopping = [this] { return ctx_->stopping(); };
  std::unique_lock lock(stop_mu_);
  while (!ctx_->stopping()) {
    lock.unlock();
    bool cleaned = false;
    try {
      cleaned = topics_->clean_compacted(now_ms(), maintenance_.cleaner, stopping).cleaned;
    } catch (const std::exception& e) {
      log::error("broker", "log cleaner failed: {}", e.what());
    }
    lock.lock();
    // Straight on while there was work, as Kafka's cleaner does; else back off.
    if (!cleaned) {
      stop_cv_.wait_for(lock, std::chrono::milliseconds(maintenance_.cleaner_backoff_ms),
                        [&] { return ctx_->stopping(); });
    }
  }
}

}  // namespace sluice::broker
