// What request handlers share: the topic store, the broker's options, and the
// signal that new data arrived (for long-polling fetches). Handlers hold no
// state of their own; everything they change lives here or below.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>

#include "broker/acl/acl_authorizer.h"
#include "broker/acl/denials.h"
#include "broker/groups/group_coordinator.h"
#include "broker/producers/producer_ids.h"
#include "broker/producers/producer_registry.h"
#include "broker/server/request_stats.h"
#include "broker/storage/topic_store.h"

namespace sluice::broker {

struct BrokerOptions {
  std::filesystem::path data_dir;
  std::string host = "127.0.0.1";
  int port = 9092;
  int32_t node_id = 0;
  std::string cluster_id = "sluice-single-node";
  bool auto_create_topics = true;
  TopicDefaults topic_defaults;
  CoordinatorOptions groups;
  int32_t max_request_bytes = 100 * 1024 * 1024;  // socket.request.max.bytes
  // authorizer.class.name: "" (none: every request is allowed) or "acl" (the
  // ACLs in <data dir>/acls decide, docs/security.md).
  std::string authorizer;
  std::set<std::string> super_users;  // super.users, principals as "User:NAME"
};

// A version counter bumped on every append; fetchers wait for it to move.
class DataSignal {
 public:
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
};

struct BrokerContext {
  BrokerOptions options;
  TopicStore& topics;
  GroupCoordinator& groups;
  ProducerIdAllocator& producer_ids;
  ProducerRegistry producers;
  DataSignal data;
  std::atomic<bool> stopping_flag{false};
  RequestStats requests;                  // what connections received and answered, for metrics
  acl::Authorizer* authorizer = nullptr;  // null: authorization is off
  acl::Denials denials;                   // requests the authorizer refused

  bool stopping() const { return stopping_flag; }
};

}  // namespace sluice::broker
