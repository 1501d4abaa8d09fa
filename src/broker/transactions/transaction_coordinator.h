// The transaction coordinator: every transactional id on this broker, its
// producer id and epoch, and its transaction (KIP-98, KIP-447).
//
// Invariants:
// - Every state change is in the transaction log (transaction_log.h) before it
//   is answered or acted on; the markers of a transaction are written only
//   after its Prepare* state is logged, and Complete* is logged only after every
//   marker and the group offsets were written. So after a kill -9 at any point
//   the log says which outcome was decided, and recover() (re-)writes its
//   markers; a marker written twice is harmless (the partition's transaction
//   index ignores a marker with no open transaction).
// - An epoch only grows for a producer id. A newer InitProducerId, and a
//   transaction's timeout, bump it (aborting the open transaction), so a
//   producer holding the old epoch is fenced: PRODUCER_FENCED from the
//   coordinator's APIs, INVALID_PRODUCER_EPOCH from Produce.
// - All state is under one mutex, which is never held while markers are
//   written: a transaction in Prepare* answers CONCURRENT_TRANSACTIONS (which
//   clients retry) until its markers are done.
//
// The coordinator knows no storage and no groups: what it does to the rest of
// the broker goes through TransactionEffects (wired in broker_effects.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/protocol/errors.h"
#include "broker/transactions/transaction_log.h"
#include "broker/transactions/transaction_state.h"

namespace sluice::broker::transactions {

using protocol::ErrorCode;

struct TransactionOptions {
  int32_t max_timeout_ms = 900000;  // transaction.max.timeout.ms
  bool sync = false;                // fdatasync the log on every change (flush `always`)
};

struct TransactionEffects {
  // Writes the commit or abort marker of `producer_id` at `epoch` to one
  // partition and returns once it is visible; throws when it cannot.
  std::function<void(const TopicPartition&, int64_t producer_id, int16_t epoch, bool commit)>
      write_marker;
  // Makes a committed transaction's group offsets the groups' committed offsets.
  std::function<void(const std::vector<std::pair<OffsetKey, CommittedOffset>>&)> commit_offsets;
  std::function<int64_t()> next_producer_id;  // throws when none can be had
  std::function<void()> transaction_ended;    // wakes read_committed fetches
};

class TransactionCoordinator {
 public:
  TransactionCoordinator(const std::filesystem::path& data_dir, TransactionOptions options,
                         TransactionEffects effects);

  // Finishes the transactions the log shows decided but not complete (a crash
  // between PrepareCommit/Abort and Complete*). Call once, before serving.
  void recover();

  struct InitResult {
    ErrorCode error = ErrorCode::kNone;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
  };
  // `expected_*`: the id and epoch the producer holds (KIP-360), -1 when none.
  InitResult init_producer(const std::string& transactional_id, int32_t timeout_ms,
                           int64_t expected_producer_id, int16_t expected_epoch);
  ErrorCode add_partitions(const std::string& transactional_id, int64_t producer_id, int16_t epoch,
                           const std::vector<TopicPartition>& partitions);
  ErrorCode add_group(const std::string& transactional_id, int64_t producer_id, int16_t epoch,
                      const std::string& group);
  ErrorCode add_offsets(const std::string& transactional_id, int64_t producer_id, int16_t epoch,
                        const std::vector<std::pair<OffsetKey, CommittedOffset>>& offsets);
  ErrorCode end_transaction(const std::string& transactional_id, int64_t producer_id, int16_t epoch,
                            bool commit);
  // Produce of a transactional batch: the partition must be in the producer's
  // open transaction (INVALID_TXN_STATE), at its current epoch (INVALID_PRODUCER_EPOCH).
  ErrorCode check_produce(const std::string& transactional_id, int64_t producer_id, int16_t epoch,
                          const TopicPartition& partition);

  // Whether an open transaction holds an offset for `key` (TxnOffsetCommit not yet
  // committed): OffsetFetch with require_stable answers UNSTABLE_OFFSET_COMMIT.
  bool has_pending_offset(const OffsetKey& key);

  std::optional<TransactionMetadata> describe(const std::string& transactional_id);
  std::vector<TransactionMetadata> list();

  // Aborts (with an epoch bump) every transaction open longer than its
  // timeout, and retries markers that failed. Called periodically.
  void tick(int64_t now_ms);

 private:
  ErrorCode check_producer(const TransactionMetadata& t, int64_t producer_id, int16_t epoch) const;
  // Logs `t` (a copy first, so a failed write leaves memory as it was); mu_ held.
  ErrorCode save(TransactionMetadata& t, TransactionMetadata next);
  // The transaction of `id` if this producer may change it now (mu_ held): else
  // INVALID_PRODUCER_ID_MAPPING, the producer check's error, or CONCURRENT_TRANSACTIONS
  // while it ends.
  ErrorCode changeable(const std::string& id, int64_t producer_id, int16_t epoch,
                       TransactionMetadata*& out);
  // What add_partitions and add_group share: `add` extends the id's ongoing
  // transaction (a new one when none is ongoing), saved unless nothing changed.
  ErrorCode extend(const std::string& id, int64_t producer_id, int16_t epoch,
                   const std::function<void(TransactionMetadata&)>& add);
  // Moves an Ongoing transaction to Prepare*; mu_ held. Returns the state to finish.
  // `fence`: bump the epoch too (a timeout, a new producer instance).
  std::optional<TransactionMetadata> prepare_end(TransactionMetadata& t, bool commit, bool fence);
  // Writes the markers and offsets of a Prepare* transaction, then logs Complete*.
  // Called without mu_. Returns false when a marker could not be written (tick retries).
  bool finish(const TransactionMetadata& prepared);
  // The next epoch of `t`'s producer, or a new producer id at epoch 0 when the
  // epoch is exhausted; mu_ held.
  void bump_epoch(TransactionMetadata& t);

  TransactionOptions options_;
  TransactionEffects effects_;
  std::mutex mu_;
  std::map<std::string, TransactionMetadata> txns_;
  std::set<std::string> finishing_;  // ids whose markers a thread is writing now
  std::unique_ptr<TransactionLog> log_;
};

}  // namespace sluice::broker::transactions
