// One transactional id's state, as the transaction coordinator keeps it and the
// transaction log (docs/formats/transaction-log.md) records it.
//
// The state machine (KIP-98), every transition written to the log before it is
// answered or acted on:
//
//   Empty ─AddPartitions/AddOffsets─▶ Ongoing ─EndTxn(commit)─▶ PrepareCommit ─markers─▶
//                                      │                                  CompleteCommit
//                                      └─EndTxn(abort), timeout, ─▶ PrepareAbort ─markers─▶
//                                        new InitProducerId               CompleteAbort
//
//   InitProducerId from Empty or Complete*: epoch + 1, back to Empty. Complete*
//   starts the next transaction as Empty does.
//
// Prepare* means the outcome is decided and the markers are being written:
// after a crash the coordinator finishes them on start.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "broker/groups/offset_store.h"

namespace sluice::broker::transactions {

enum class TxnState : int8_t {
  kEmpty,
  kOngoing,
  kPrepareCommit,
  kPrepareAbort,
  kCompleteCommit,
  kCompleteAbort,
};

// Kafka's names (DescribeTransactions, ListTransactions, kafka-transactions).
const char* state_name(TxnState s);
std::optional<TxnState> state_from_name(const std::string& name);

using TopicPartition = std::pair<std::string, int32_t>;

struct TransactionMetadata {
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t timeout_ms = 60000;
  TxnState state = TxnState::kEmpty;
  int64_t start_time_ms = -1;           // wall clock, when the open transaction began; -1 when none
  std::set<TopicPartition> partitions;  // partitions in the open (or ending) transaction
  std::set<std::string> groups;         // groups whose offsets it commits (AddOffsetsToTxn)
  // TxnOffsetCommit's offsets, applied to the groups at commit, dropped at abort.
  std::map<OffsetKey, CommittedOffset> pending_offsets;

  bool in_transaction() const { return state == TxnState::kOngoing; }
  bool ending() const {
    return state == TxnState::kPrepareCommit || state == TxnState::kPrepareAbort;
  }
};

}  // namespace sluice::broker::transactions
