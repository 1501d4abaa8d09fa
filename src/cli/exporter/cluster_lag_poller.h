// Consumer-group lag of any Kafka cluster, measured through the Kafka client
// seam (src/kafka/) for `sluice exporter`, in the same vocabulary as the
// built-in broker's /metrics (ops/lag_metrics.h): the same rules and dashboards
// work against either.
//
// Invariant: measuring takes network round trips per group and partition, so
// it runs on the poller's own thread every interval and a scrape only renders
// the latest result — a scrape never waits on the cluster. A poll that fails
// leaves no lag series (stale figures would hide a growing lag) and sets
// sluice_exporter_cluster_up to 0 until a poll succeeds again.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "cli/support/group_lag.h"
#include "kafka/admin_client.h"
#include "ops/lag_metrics.h"
#include "ops/metrics.h"

namespace sluice::cli {

// A group's lag as the lag families name it; only partitions the group
// committed on, as the broker reports them.
void append_group_lag(ops::LagSnapshot& snapshot, const GroupLag& lag);

class ClusterLagPoller {
 public:
  // `groups` must match a group id whole (as Prometheus regexes do).
  ClusterLagPoller(kafka::Endpoint endpoint, std::regex groups, std::chrono::milliseconds interval);
  ~ClusterLagPoller();  // stops the thread
  ClusterLagPoller(const ClusterLagPoller&) = delete;
  ClusterLagPoller& operator=(const ClusterLagPoller&) = delete;

  // Polls once now (so the first scrape has figures), then every interval.
  void start();
  void stop();
  // The lag families of the latest poll plus the exporter's own.
  std::vector<ops::CollectedFamily> families() const;
  // Whether the latest poll reached the cluster, for /readyz.
  bool cluster_up() const;

 private:
  ops::LagSnapshot measure();
  void poll_once();

  const kafka::Endpoint endpoint_;
  const std::regex groups_;
  const std::chrono::milliseconds interval_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  ops::LagSnapshot latest_;    // guarded by mu_
  bool cluster_up_ = false;    // guarded by mu_
  uint64_t polls_ok_ = 0;      // guarded by mu_
  uint64_t polls_failed_ = 0;  // guarded by mu_
  double last_poll_seconds_ = 0;
  std::thread thread_;
};

}  // namespace sluice::cli
