#include "serve/table_snapshots.h"

namespace sluice::serve {

std::shared_ptr<const lake::delta::TableState> TableSnapshots::latest() {
  std::shared_ptr<const lake::delta::TableState> cached = kept();
  if (cached && cached->version >= 0 && !log_.has_commit(cached->version + 1)) return cached;
  std::shared_ptr<lake::delta::TableState> next;
  if (cached && cached->version >= 0) {
    next = std::make_shared<lake::delta::TableState>(*cached);
    log_.update(*next);
  } else {
    next = std::make_shared<lake::delta::TableState>(log_.load());
  }
  std::lock_guard lock(mu_);
  // Two callers may update at once: keep the newer, answer from our own (both are current).
  if (!kept_ || kept_->version < next->version) kept_ = next;
  return next;
}

std::shared_ptr<const lake::delta::TableState> TableSnapshots::kept() const {
  std::lock_guard lock(mu_);
  return kept_;
}

}  // namespace sluice::serve
