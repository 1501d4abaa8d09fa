#include "broker/acl/denials.h"

#include <fmt/format.h>

#include "common/clock.h"
#include "common/log.h"

namespace sluice::broker::acl {

void Denials::record(std::string_view api, const Requester& who, Operation op,
                     const Resource& resource) {
  uint64_t suppressed = 0;
  {
    std::lock_guard lock(mu_);
    ++counts_[{resource.type, op}];
    int64_t now = mono_ms();
    if (now < next_log_ms_) {
      ++unlogged_;
      return;
    }
    next_log_ms_ = now + log_interval_ms_;
    suppressed = std::exchange(unlogged_, 0);
  }
  std::string more =
      suppressed ? fmt::format(" ({} more denials since the last such line)", suppressed) : "";
  log::write(
      log::Level::kWarn, "broker",
      fmt::format("authorization denied: {:?} from {} may not {} {} {:?} ({}){}", who.principal,
                  who.host, name_of(op), name_of(resource.type), resource.name, api, more),
      {{"principal", who.principal},
       {"host", who.host},
       {"operation", std::string(name_of(op))},
       {"resource_type", std::string(name_of(resource.type))},
       {"resource", resource.name}});
}

std::map<Denials::Key, uint64_t> Denials::counts() const {
  std::lock_guard lock(mu_);
  return counts_;
}

}  // namespace sluice::broker::acl
