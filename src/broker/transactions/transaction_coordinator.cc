#include "broker/transactions/transaction_coordinator.h"

#include <functional>

#include "common/clock.h"
#include "common/crash_point.h"
#include "common/log.h"

namespace sluice::broker::transactions {
namespace {

void clear_transaction(TransactionMetadata& t) {
  t.partitions.clear();
  t.groups.clear();
  t.pending_offsets.clear();
  t.start_time_ms = -1;
}

}  // namespace

TransactionCoordinator::TransactionCoordinator(const std::filesystem::path& data_dir,
                                               TransactionOptions options,
                                               TransactionEffects effects)
    : options_(options), effects_(std::move(effects)) {
  log_ = std::make_unique<TransactionLog>(data_dir / "transactions", options.sync, txns_);
}

void TransactionCoordinator::recover() {
  std::vector<TransactionMetadata> todo;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, t] : txns_) {
      if (!t.ending()) continue;
      log::info("broker",
                "transaction of {} (producer {} epoch {}) was {} at the last stop: "
                "writing its markers again",
                id, t.producer_id, t.producer_epoch, state_name(t.state));
      todo.push_back(t);
      finishing_.insert(id);
    }
  }
  for (const TransactionMetadata& t : todo) finish(t);
}

ErrorCode TransactionCoordinator::check_producer(const TransactionMetadata& t, int64_t producer_id,
                                                 int16_t epoch) const {
  if (t.producer_id != producer_id) return ErrorCode::kInvalidProducerIdMapping;
  if (epoch < t.producer_epoch) return ErrorCode::kProducerFenced;
  if (epoch > t.producer_epoch) return ErrorCode::kInvalidProducerEpoch;
  return ErrorCode::kNone;
}

ErrorCode TransactionCoordinator::save(TransactionMetadata& t, TransactionMetadata next) {
  try {
    log_->write(next);
  } catch (const std::exception& e) {
    // The change is not made; clients retry COORDINATOR_NOT_AVAILABLE.
    log::warn("broker", "transaction of {} not changed: {}", next.transactional_id, e.what());
    return ErrorCode::kCoordinatorNotAvailable;
  }
  t = std::move(next);
  return ErrorCode::kNone;
}

void TransactionCoordinator::bump_epoch(TransactionMetadata& t) {
  // Kafka's rule: an epoch near the top starts a new producer id instead, so
  // that a timeout's abort can still bump the epoch of the id its data carries.
  if (t.producer_epoch >= INT16_MAX - 1) {
    t.producer_id = effects_.next_producer_id();
    t.producer_epoch = 0;
  } else {
    ++t.producer_epoch;
  }
}

std::optional<TransactionMetadata> TransactionCoordinator::prepare_end(TransactionMetadata& t,
                                                                       bool commit, bool fence) {
  TransactionMetadata next = t;
  if (fence && next.producer_epoch < INT16_MAX) ++next.producer_epoch;
  next.state = commit ? TxnState::kPrepareCommit : TxnState::kPrepareAbort;
  if (save(t, std::move(next)) != ErrorCode::kNone) return std::nullopt;
  finishing_.insert(t.transactional_id);
  return t;
}

bool TransactionCoordinator::finish(const TransactionMetadata& prepared) {
  const bool commit = prepared.state == TxnState::kPrepareCommit;
  try {
    for (const TopicPartition& tp : prepared.partitions) {
      crash_point("txn.marker");
      effects_.write_marker(tp, prepared.producer_id, prepared.producer_epoch, commit);
    }
    if (commit && !prepared.pending_offsets.empty()) {
      std::vector<std::pair<OffsetKey, CommittedOffset>> offsets(prepared.pending_offsets.begin(),
                                                                 prepared.pending_offsets.end());
      effects_.commit_offsets(offsets);
    }
  } catch (const std::exception& e) {
    log::warn("broker",
              "transaction of {} is {} but its markers are not all written ({}); "
              "retrying shortly",
              prepared.transactional_id, state_name(prepared.state), e.what());
    std::lock_guard lock(mu_);
    finishing_.erase(prepared.transactional_id);
    return false;
  }
  crash_point("txn.before_complete");
  bool done = false;
  {
    std::lock_guard lock(mu_);
    TransactionMetadata& t = txns_[prepared.transactional_id];
    TransactionMetadata next = t;
    next.state = commit ? TxnState::kCompleteCommit : TxnState::kCompleteAbort;
    clear_transaction(next);
    done = save(t, std::move(next)) == ErrorCode::kNone;
    finishing_.erase(prepared.transactional_id);
  }
  if (effects_.transaction_ended) effects_.transaction_ended();
  return done;
}

TransactionCoordinator::InitResult TransactionCoordinator::init_producer(
    const std::string& id, int32_t timeout_ms, int64_t expected_producer_id,
    int16_t expected_epoch) {
  if (timeout_ms <= 0 || timeout_ms > options_.max_timeout_ms)
    return {ErrorCode::kInvalidTransactionTimeout};
  std::unique_lock lock(mu_);
  auto it = txns_.find(id);
  try {
    if (it == txns_.end()) {
      TransactionMetadata t;
      t.transactional_id = id;
      t.timeout_ms = timeout_ms;
      t.producer_id = effects_.next_producer_id();
      t.producer_epoch = 0;
      TransactionMetadata fresh;
      if (ErrorCode e = save(fresh, t); e != ErrorCode::kNone) return {e};
      txns_[id] = fresh;
      return {ErrorCode::kNone, t.producer_id, t.producer_epoch};
    }
    TransactionMetadata& t = it->second;
    if (t.ending() || finishing_.count(id)) return {ErrorCode::kConcurrentTransactions};
    // KIP-360: a producer that names the id and epoch it holds may only go on
    // from the current ones; an older epoch was fenced.
    if (expected_producer_id != -1 &&
        (expected_producer_id != t.producer_id || expected_epoch != t.producer_epoch))
      return {ErrorCode::kProducerFenced};
    if (t.state == TxnState::kOngoing) {
      // A new producer instance: the open transaction of the old one aborts,
      // and the epoch bump fences the old one.
      log::info("broker",
                "InitProducerId for {}: aborting its open transaction (producer {} "
                "epoch {})",
                id, t.producer_id, t.producer_epoch);
      auto prepared = prepare_end(t, false, true);
      if (!prepared) return {ErrorCode::kCoordinatorNotAvailable};
      lock.unlock();
      bool done = finish(*prepared);
      lock.lock();
      if (!done) return {ErrorCode::kConcurrentTransactions};
    }
    TransactionMetadata next = t;
    bump_epoch(next);
    next.timeout_ms = timeout_ms;
    next.state = TxnState::kEmpty;
    clear_transaction(next);
    if (ErrorCode e = save(t, std::move(next)); e != ErrorCode::kNone) return {e};
    return {ErrorCode::kNone, t.producer_id, t.producer_epoch};
  } catch (const std::exception& e) {
    // No producer id block could be persisted (a full disk): clients retry.
    log::warn("broker", "InitProducerId for {}: {}", id, e.what());
    return {ErrorCode::kCoordinatorLoadInProgress};
  }
}

ErrorCode TransactionCoordinator::add_partitions(const std::string& id, int64_t producer_id,
                                                 int16_t epoch,
                                                 const std::vector<TopicPartition>& partitions) {
  return extend(id, producer_id, epoch, [&](TransactionMetadata& next) {
    next.partitions.insert(partitions.begin(), partitions.end());
  });
}

ErrorCode TransactionCoordinator::add_group(const std::string& id, int64_t producer_id,
                                            int16_t epoch, const std::string& group) {
  return extend(id, producer_id, epoch,
                [&](TransactionMetadata& next) { next.groups.insert(group); });
}

ErrorCode TransactionCoordinator::changeable(const std::string& id, int64_t producer_id,
                                             int16_t epoch, TransactionMetadata*& out) {
  auto it = txns_.find(id);
  if (it == txns_.end()) return ErrorCode::kInvalidProducerIdMapping;
  if (ErrorCode e = check_producer(it->second, producer_id, epoch); e != ErrorCode::kNone) return e;
  if (it->second.ending() || finishing_.count(id)) return ErrorCode::kConcurrentTransactions;
  out = &it->second;
  return ErrorCode::kNone;
}

ErrorCode TransactionCoordinator::extend(const std::string& id, int64_t producer_id, int16_t epoch,
                                         const std::function<void(TransactionMetadata&)>& add) {
  std::lock_guard lock(mu_);
  TransactionMetadata* found = nullptr;
  if (ErrorCode e = changeable(id, producer_id, epoch, found); e != ErrorCode::kNone) return e;
  TransactionMetadata& t = *found;
  TransactionMetadata next = t;
  if (next.state != TxnState::kOngoing) {
    clear_transaction(next);
    next.state = TxnState::kOngoing;
    next.start_time_ms = now_ms();
  }
  add(next);
  if (next.state == t.state && next.partitions == t.partitions && next.groups == t.groups)
    return ErrorCode::kNone;
  return save(t, std::move(next));
}

ErrorCode TransactionCoordinator::add_offsets(
    const std::string& id, int64_t producer_id, int16_t epoch,
    const std::vector<std::pair<OffsetKey, CommittedOffset>>& offsets) {
  std::lock_guard lock(mu_);
  TransactionMetadata* found = nullptr;
  if (ErrorCode e = changeable(id, producer_id, epoch, found); e != ErrorCode::kNone) return e;
  TransactionMetadata& t = *found;
  TransactionMetadata next = t;
  for (const auto& [key, offset] : offsets) {
    // AddOffsetsToTxn first: else the commit would never reach the group.
    if (t.state != TxnState::kOngoing || !t.groups.count(key.group))
      return ErrorCode::kInvalidTxnState;
    next.pending_offsets[key] = offset;
  }
  return save(t, std::move(next));
}

ErrorCode TransactionCoordinator::end_transaction(const std::string& id, int64_t producer_id,
                                                  int16_t epoch, bool commit) {
  std::unique_lock lock(mu_);
  auto it = txns_.find(id);
  if (it == txns_.end()) return ErrorCode::kInvalidProducerIdMapping;
  TransactionMetadata& t = it->second;
  if (ErrorCode e = check_producer(t, producer_id, epoch); e != ErrorCode::kNone) return e;
  if (finishing_.count(id)) return ErrorCode::kConcurrentTransactions;
  switch (t.state) {
    case TxnState::kOngoing: {
      auto prepared = prepare_end(t, commit, false);
      if (!prepared) return ErrorCode::kCoordinatorNotAvailable;
      lock.unlock();
      // The outcome is decided and logged: a marker that cannot be written
      // now is retried by tick() (and after a restart by recover()).
      finish(*prepared);
      return ErrorCode::kNone;
    }
    case TxnState::kPrepareCommit:
    case TxnState::kPrepareAbort:
      return ErrorCode::kConcurrentTransactions;
    case TxnState::kCompleteCommit:  // a retry of the EndTxn that completed it
      return commit ? ErrorCode::kNone : ErrorCode::kInvalidTxnState;
    case TxnState::kCompleteAbort:
      return commit ? ErrorCode::kInvalidTxnState : ErrorCode::kNone;
    case TxnState::kEmpty:
      break;
  }
  return ErrorCode::kInvalidTxnState;
}

ErrorCode TransactionCoordinator::check_produce(const std::string& id, int64_t producer_id,
                                                int16_t epoch, const TopicPartition& partition) {
  std::lock_guard lock(mu_);
  auto it = txns_.find(id);
  if (it == txns_.end() || it->second.producer_id != producer_id)
    return ErrorCode::kInvalidProducerIdMapping;
  const TransactionMetadata& t = it->second;
  if (epoch != t.producer_epoch) return ErrorCode::kInvalidProducerEpoch;
  if (t.state != TxnState::kOngoing || !t.partitions.count(partition))
    return ErrorCode::kInvalidTxnState;
  return ErrorCode::kNone;
}

bool TransactionCoordinator::has_pending_offset(const OffsetKey& key) {
  std::lock_guard lock(mu_);
  for (const auto& [id, t] : txns_)
    if (t.pending_offsets.count(key)) return true;
  return false;
}

std::optional<TransactionMetadata> TransactionCoordinator::describe(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = txns_.find(id);
  if (it == txns_.end() || it->second.producer_id < 0) return std::nullopt;
  return it->second;
}

std::vector<TransactionMetadata> TransactionCoordinator::list() {
  std::lock_guard lock(mu_);
  std::vector<TransactionMetadata> out;
  for (const auto& [id, t] : txns_)
    if (t.producer_id >= 0) out.push_back(t);
  return out;
}

void TransactionCoordinator::tick(int64_t now) {
  std::vector<TransactionMetadata> todo;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, t] : txns_) {
      if (finishing_.count(id)) continue;
      if (t.ending()) {  // markers that failed before: try again
        todo.push_back(t);
        finishing_.insert(id);
      } else if (t.state == TxnState::kOngoing && now - t.start_time_ms > t.timeout_ms) {
        log::info("broker",
                  "aborting the transaction of {} (producer {} epoch {}): open longer "
                  "than its transaction.timeout.ms, {} ms",
                  id, t.producer_id, t.producer_epoch, t.timeout_ms);
        if (auto prepared = prepare_end(t, false, true)) todo.push_back(*prepared);
      }
    }
  }
  for (const TransactionMetadata& t : todo) finish(t);
}

}  // namespace sluice::broker::transactions
