// A RegistryStore in memory that applies every record after a trip through the
// `_schemas` record format, as the real log does: for tests of the registry's
// REST layer and of its clients without a broker.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "registry/registry_record.h"
#include "registry/registry_state.h"
#include "registry/registry_store.h"

namespace sluice::registry {

class RoundTripStore : public RegistryStore {
 public:
  void read(const std::function<void(const RegistryState&)>& fn) const override { fn(state_); }
  void append(const std::vector<RegistryRecord>& records) override {
    for (const auto& r : records) {
      auto value = r.value_json();
      state_.apply(RegistryRecord::parse(
          r.key_json(), value ? std::optional<std::string_view>(*value) : std::nullopt));
    }
  }
  void catch_up() override {}
  std::mutex& writer() override { return mu_; }

 private:
  RegistryState state_;
  std::mutex mu_;
};

}  // namespace sluice::registry
