#include "broker/server/request_stats.h"

namespace sluice::broker {

size_t RequestStats::slot_of(int16_t api_key) {
  return api_key >= 0 && api_key <= kMaxApiKey ? size_t(api_key) : size_t(kMaxApiKey) + 1;
}

void RequestStats::received(int16_t api_key, size_t bytes) {
  slots_[slot_of(api_key)].requests.fetch_add(1, std::memory_order_relaxed);
  bytes_in_.fetch_add(bytes, std::memory_order_relaxed);
}

void RequestStats::sent(size_t bytes) {
  bytes_out_.fetch_add(bytes, std::memory_order_relaxed);
}

void RequestStats::failed(int16_t api_key) {
  slots_[slot_of(api_key)].errors.fetch_add(1, std::memory_order_relaxed);
}

std::vector<RequestStats::ApiCounts> RequestStats::per_api() const {
  std::vector<ApiCounts> out;
  for (size_t i = 0; i < slots_.size(); ++i) {
    ApiCounts c{.api_key = i <= size_t(kMaxApiKey) ? int16_t(i) : kUnknownKey,
                .requests = slots_[i].requests.load(std::memory_order_relaxed),
                .errors = slots_[i].errors.load(std::memory_order_relaxed)};
    if (c.requests > 0 || c.errors > 0) out.push_back(c);
  }
  return out;
}

}  // namespace sluice::broker
