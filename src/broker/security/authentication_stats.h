// SASL logins counted by mechanism and result, for /metrics: a rising failure
// count is a wrong password in some deployment or someone guessing, and the
// broker's log (one line per failure) is the wrong place to notice either.
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace sluice::broker::security {

class AuthenticationStats {
 public:
  void record(const std::string& mechanism, bool succeeded) {
    std::lock_guard lock(mu_);
    ++counts_[{mechanism, succeeded}];
  }
  // (mechanism, succeeded) -> count
  std::map<std::pair<std::string, bool>, uint64_t> counts() const {
    std::lock_guard lock(mu_);
    return counts_;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, bool>, uint64_t> counts_;
};

}  // namespace sluice::broker::security
