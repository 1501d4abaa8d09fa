#include "cli/exporter/cluster_lag_poller.h"

#include "common/log.h"
#include "kafka/record_reader.h"

namespace sluice::cli {

void append_group_lag(ops::LagSnapshot& snapshot, const GroupLag& lag) {
  snapshot.groups.push_back({lag.group, lag.state, int64_t(lag.members)});
  for (const PartitionLag& p : lag.partitions) {
    if (!p.committed) continue;
    snapshot.partitions.push_back({.group = lag.group,
                                   .topic = p.topic,
                                   .partition = p.partition,
                                   .committed = p.committed,
                                   .log_end = p.log_end,
                                   .lag = p.lag,
                                   .lag_seconds = p.lag_seconds});
  }
}

ClusterLagPoller::ClusterLagPoller(kafka::Endpoint endpoint, std::regex groups,
                                   std::chrono::milliseconds interval)
    : endpoint_(std::move(endpoint)), groups_(std::move(groups)), interval_(interval) {}

ClusterLagPoller::~ClusterLagPoller() {
  stop();
}

ops::LagSnapshot ClusterLagPoller::measure() {
  // A fresh client per poll: a cluster that restarted or moved is found again.
  kafka::AdminClient admin(endpoint_);
  kafka::RecordReader reader(endpoint_);
  ops::LagSnapshot snapshot;
  for (const kafka::GroupListing& g : admin.list_groups()) {
    if (!std::regex_match(g.group_id, groups_)) continue;
    append_group_lag(snapshot, measure_group_lag(admin, reader, g.group_id));
  }
  return snapshot;
}

void ClusterLagPoller::poll_once() {
  const auto started = std::chrono::steady_clock::now();
  try {
    ops::LagSnapshot snapshot = measure();
    std::lock_guard lock(mu_);
    latest_ = std::move(snapshot);
    cluster_up_ = true;
    ++polls_ok_;
  } catch (const std::exception& e) {
    log::warn("exporter", "measuring lag at {} failed: {}", endpoint_.bootstrap, e.what());
    std::lock_guard lock(mu_);
    latest_ = {};
    cluster_up_ = false;
    ++polls_failed_;
  }
  std::lock_guard lock(mu_);
  last_poll_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

void ClusterLagPoller::start() {
  poll_once();
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
      lock.unlock();
      poll_once();
      lock.lock();
    }
  });
}

void ClusterLagPoller::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool ClusterLagPoller::cluster_up() const {
  std::lock_guard lock(mu_);
  return cluster_up_;
}

std::vector<ops::CollectedFamily> ClusterLagPoller::families() const {
  std::lock_guard lock(mu_);
  std::vector<ops::CollectedFamily> out = ops::lag_families(latest_);
  using Type = ops::CollectedFamily::Type;
  out.push_back({.name = "sluice_exporter_cluster_up",
                 .help = "1 when the exporter's last poll of the Kafka cluster succeeded",
                 .type = Type::kGauge,
                 .samples = {{{}, cluster_up_ ? 1.0 : 0.0}}});
  out.push_back({.name = "sluice_exporter_polls_total",
                 .help = "Polls of the Kafka cluster for consumer-group lag, by result",
                 .type = Type::kCounter,
                 .samples = {{{{"result", "ok"}}, double(polls_ok_)},
                             {{{"result", "error"}}, double(polls_failed_)}}});
  out.push_back({.name = "sluice_exporter_poll_duration_seconds",
                 .help = "How long the exporter's last poll of the Kafka cluster took",
                 .type = Type::kGauge,
                 .samples = {{{}, last_poll_seconds_}}});
  return out;
}

}  // namespace sluice::cli
