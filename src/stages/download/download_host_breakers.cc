#include "stages/download/download_host_breakers.h"

namespace sluice::stages {

HostBreakers::HostBreakers(HostBreakerOptions options, size_t max_hosts)
    : options_(options), max_hosts_(max_hosts) {}

std::shared_ptr<pipeline::CircuitBreaker> HostBreakers::get(const std::string& host) {
  std::lock_guard lock(mu_);
  auto it = breakers_.find(host);
  if (it != breakers_.end()) return it->second;
  if (breakers_.size() >= max_hosts_) trim();
  pipeline::BreakerConfig config;
  config.name = "download:" + host;
  config.failure_rate_threshold = options_.failure_rate;
  config.minimum_calls = options_.min_calls;
  config.window_ms = options_.window_ms;
  config.open_ms = options_.open_ms;
  config.half_open_probes = 1;  // one good download from a recovered host is enough
  auto b = std::make_shared<pipeline::CircuitBreaker>(config);
  breakers_.emplace(host, b);
  return b;
}

void HostBreakers::trim() {
  // Closed breakers hold only recent counts; forgetting them costs at most a
  // few failures' worth of memory about a host. Open ones are kept: they protect.
  for (auto it = breakers_.begin(); it != breakers_.end();) {
    it = it->second->state() == pipeline::BreakerState::kClosed ? breakers_.erase(it) : ++it;
  }
}

}  // namespace sluice::stages
