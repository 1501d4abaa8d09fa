// Reading the download stage's `options:` block (see docs/download.md). Every
// problem is a std::invalid_argument naming the stage and the option, raised
// when the pipeline starts, never at the first task.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "stages/download/download_address_policy.h"
#include "stages/download/download_host_allowlist.h"

namespace sluice::stages {

struct HostBreakerOptions {
  double failure_rate = 0.5;
  int64_t window_ms = 60000;  // sliding time window of CircuitBreaker
  int min_calls = 5;
  int64_t open_ms = 30000;
};

struct DownloadOptions {
  std::string store;  // object store URL (required)
  int64_t connect_timeout_ms = 5000;
  int64_t total_timeout_ms = 30000;
  int64_t max_bytes = 50LL << 20;
  std::vector<std::string> allowed_content_types = {"application/pdf", "image/jpeg", "image/png",
                                                    "image/tiff", "text/plain"};
  HostAllowlist allowed_domains;  // empty: any domain
  AddressPolicy addresses;        // allow_private_networks + allowed_addresses
  int max_redirects = 5;
  HostBreakerOptions host_breaker;
  int max_transfers = 64;           // in flight on the stage's event loop; more wait
  int max_transfers_per_host = 16;  // of those, to one host:port
};

// Every top-level option the download processor understands.
extern const std::set<std::string> kDownloadOptionNames;

DownloadOptions read_download_options(const std::string& stage, const YAML::Node& options);

}  // namespace sluice::stages
