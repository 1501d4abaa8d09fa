// The transaction coordinator against a real topic store: the state machine,
// markers in the partition logs, fencing by epoch, timeouts, and what the
// transaction log brings back after a restart (including a crash between a
// decided outcome and its markers).
#include "broker/transactions/transaction_coordinator.h"

#include <gtest/gtest.h>

#include "broker/producers/sequenced_append.h"
#include "broker/producers/transaction_markers.h"
#include "broker/protocol/messages/transactions.h"
#include "broker/storage/partition_log.h"
#include "broker/storage/record_batch.h"
#include "broker/transactions/broker_effects.h"
#include "broker/transactions/transaction_log.h"
#include "common/clock.h"
#include "common/crc32c.h"
#include "handler_call.h"

namespace sluice::broker::transactions {
namespace {

using protocol::ErrorCode;

// A transactional batch of one record, as a transactional producer sends it.
Bytes txn_batch(int64_t pid, int16_t epoch, int32_t seq) {
  Bytes b = build_batch(0, {{1, std::nullopt, std::string("v"), {}}});
  store_be16(b.data() + 21, 0x10);
  store_be64(b.data() + 43, uint64_t(pid));
  store_be16(b.data() + 51, uint16_t(epoch));
  store_be32(b.data() + 53, uint32_t(seq));
  store_be32(b.data() + kCrcOffset, crc32c(b.data() + kCrcCoveredFrom, b.size() - kCrcCoveredFrom));
  return b;
}

struct TransactionCoordinatorTest : testing::BrokerHarness, ::testing::Test {
  TransactionCoordinatorTest() : BrokerHarness("txn_coordinator") {
    topics.create_topic("out", 2, {});
    start();
  }
  void start() {
    coordinator.reset();
    coordinator = std::make_unique<TransactionCoordinator>(dir.path(), TransactionOptions{},
                                                           broker_effects(ctx));
    coordinator->recover();
    ctx.transactions = coordinator.get();
  }
  void produce(int64_t pid, int16_t epoch, int32_t seq, int32_t partition = 0) {
    Bytes b = txn_batch(pid, epoch, seq);
    auto log = topics.partition("out", partition);
    auto a = append_with_sequence_check(ctx.producers, "out", partition, *log, b);
    ASSERT_EQ(a.verdict, SequenceVerdict::kAppend) << a.reason;
    log->commit(a.commit_to);
  }
  CommittedView view(int32_t partition = 0) {
    auto log = topics.partition("out", partition);
    return committed_view(ctx.producers, "out", partition, *log, log->log_end_offset(), 0);
  }
  OffsetStore& offsets_store() { return offsets; }
  int64_t end(int32_t partition = 0) {
    return topics.partition("out", partition)->log_end_offset();
  }

  std::unique_ptr<TransactionCoordinator> coordinator;
};

TEST_F(TransactionCoordinatorTest, EachInitProducerIdBumpsTheEpochOfTheSameProducerId) {
  auto first = coordinator->init_producer("t", 60000, -1, -1);
  ASSERT_EQ(first.error, ErrorCode::kNone);
  EXPECT_EQ(first.producer_epoch, 0);
  auto second = coordinator->init_producer("t", 60000, -1, -1);
  EXPECT_EQ(second.producer_id, first.producer_id);
  EXPECT_EQ(second.producer_epoch, 1);
  EXPECT_EQ(coordinator->init_producer("t", 0, -1, -1).error,
            ErrorCode::kInvalidTransactionTimeout);
  EXPECT_EQ(coordinator->init_producer("t", 60000, first.producer_id, 0).error,
            ErrorCode::kProducerFenced)
      << "KIP-360: only the current epoch may go on";
}

TEST_F(TransactionCoordinatorTest, ACommitWritesACommitMarkerToEveryPartition) {
  auto p = coordinator->init_producer("t", 60000, -1, -1);
  ASSERT_EQ(coordinator->add_partitions("t", p.producer_id, 0, {{"out", 0}, {"out", 1}}),
            ErrorCode::kNone);
  EXPECT_EQ(coordinator->describe("t")->state, TxnState::kOngoing);
  produce(p.producer_id, 0, 0, 0);
  produce(p.producer_id, 0, 0, 1);
  EXPECT_EQ(view(0).last_stable_offset, 0) << "the open transaction holds the stable offset";
  ASSERT_EQ(coordinator->end_transaction("t", p.producer_id, 0, true), ErrorCode::kNone);
  EXPECT_EQ(end(0), 2) << "data and a marker";
  EXPECT_EQ(end(1), 2);
  EXPECT_EQ(view(0).last_stable_offset, 2);
  EXPECT_TRUE(view(0).aborted.empty());
  EXPECT_EQ(coordinator->describe("t")->state, TxnState::kCompleteCommit);
  EXPECT_TRUE(coordinator->describe("t")->partitions.empty());
  EXPECT_EQ(coordinator->end_transaction("t", p.producer_id, 0, true), ErrorCode::kNone)
      << "a retried EndTxn is answered as the first";
  EXPECT_EQ(coordinator->end_transaction("t", p.producer_id, 0, false),
            ErrorCode::kInvalidTxnState);
}

TEST_F(TransactionCoordinatorTest, AnAbortIsListedForReadCommittedReaders) {
  auto p = coordinator->init_producer("t", 60000, -1, -1);
  ASSERT_EQ(coordinator->add_partitions("t", p.producer_id, 0, {{"out", 0}}), ErrorCode::kNone);
  produce(p.producer_id, 0, 0);
  produce(p.producer_id, 0, 1);
  ASSERT_EQ(coordinator->end_transaction("t", p.producer_id, 0, false), ErrorCode::kNone);
  auto v = view();
  EXPECT_EQ(v.last_stable_offset, 3);
  ASSERT_EQ(v.aborted.size(), 1u);
  EXPECT_EQ(v.aborted[0].producer_id, p.producer_id);
  EXPECT_EQ(v.aborted[0].first_offset, 0);
  EXPECT_EQ(v.aborted[0].last_offset, 2);
}

TEST_F(TransactionCoordinatorTest, ProduceIsCheckedAgainstTheOpenTransaction) {
  auto p = coordinator->init_producer("t", 60000, -1, -1);
  EXPECT_EQ(coordinator->check_produce("t", p.producer_id, 0, {"out", 0}),
            ErrorCode::kInvalidTxnState);
  ASSERT_EQ(coordinator->add_partitions("t", p.producer_id, 0, {{"out", 0}}), ErrorCode::kNone);
  EXPECT_EQ(coordinator->check_produce("t", p.producer_id, 0, {"out", 0}), ErrorCode::kNone);
  EXPECT_EQ(coordinator->check_produce("t", p.producer_id, 0, {"out", 1}),
            ErrorCode::kInvalidTxnState);
  EXPECT_EQ(coordinator->check_produce("t", p.producer_id, 1, {"out", 0}),
            ErrorCode::kInvalidProducerEpoch);
}

TEST_F(TransactionCoordinatorTest, ANewProducerInstanceAbortsTheOpenTransactionAndFencesTheOld) {
  auto old = coordinator->init_producer("t", 60000, -1, -1);
  ASSERT_EQ(coordinator->add_partitions("t", old.producer_id, 0, {{"out", 0}}), ErrorCode::kNone);
  produce(old.producer_id, 0, 0);
  auto fresh = coordinator->init_producer("t", 60000, -1, -1);
  ASSERT_EQ(fresh.error, ErrorCode::kNone);
  EXPECT_GT(fresh.producer_epoch, 0);
  EXPECT_EQ(view().aborted.size(), 1u) << "the old producer's transaction was aborted";
  EXPECT_EQ(view().last_stable_offset, end());
  EXPECT_EQ(coordinator->add_partitions("t", old.producer_id, 0, {{"out", 0}}),
            ErrorCode::kProducerFenced);
  EXPECT_EQ(coordinator->end_transaction("t", old.producer_id, 0, true),
            ErrorCode::kProducerFenced);
}

TEST_F(TransactionCoordinatorTest, ATransactionOpenPastItsTimeoutIsAbortedAndItsProducerFenced) {
  auto p = coordinator->init_producer("t", 1000, -1, -1);
  ASSERT_EQ(coordinator->add_partitions("t", p.producer_id, 0, {{"out", 0}}), ErrorCode::kNone);
  produce(p.producer_id, 0, 0);
  int64_t started = coordinator->describe("t")->start_time_ms;
  coordinator->tick(started + 1000);
  EXPECT_EQ(coordinator->describe("t")->state, TxnState::kOngoing) << "not past it yet";
  coordinator->tick(started + 1001);
  EXPECT_EQ(coordinator->describe("t")->state, TxnState::kCompleteAbort);
  EXPECT_EQ(coordinator->describe("t")->producer_epoch, 1);
  EXPECT_EQ(view().aborted.size(), 1u);
  EXPECT_EQ(coordinator->end_transaction("t", p.producer_id, 0, true), ErrorCode::kProducerFenced);
}

TEST_F(TransactionCoordinatorTest, GroupOffsetsAreCommittedAtCommitOnly) {
  auto p = coordinator->init_producer("t", 60000, -1, -1);
  OffsetKey key{"g", "in", 0};
  std::vector<std::pair<OffsetKey, CommittedOffset>> pending{{key, {42, -1, "", 0}}};
  EXPECT_EQ(coordinator->add_offsets("t", p.producer_id, 0, pending), ErrorCode::kInvalidTxnState)
      << "AddOffsetsToTxn comes first";
  ASSERT_EQ(coordinator->add_group("t", p.producer_id, 0, "g"), ErrorCode::kNone);
  ASSERT_EQ(coordinator->add_offsets("t", p.producer_id, 0, pending), ErrorCode::kNone);
  EXPECT_FALSE(offsets_store().fetch(key));
  EXPECT_TRUE(coordinator->has_pending_offset(key)) << "OffsetFetch require_stable: unstable";
  ASSERT_EQ(coordinator->end_transaction("t", p.producer_id, 0, false), ErrorCode::kNone);
  EXPECT_FALSE(offsets_store().fetch(key)) << "an abort drops them";
  ASSERT_EQ(coordinator->add_group("t", p.producer_id, 0, "g"), ErrorCode::kNone);
  ASSERT_EQ(coordinator->add_offsets("t", p.producer_id, 0, pending), ErrorCode::kNone);
  ASSERT_EQ(coordinator->end_transaction("t", p.producer_id, 0, true), ErrorCode::kNone);
  ASSERT_TRUE(offsets_store().fetch(key));
  EXPECT_EQ(offsets_store().fetch(key)->offset, 42);
  EXPECT_FALSE(coordinator->has_pending_offset(key));
}

TEST_F(TransactionCoordinatorTest, AnOpenTransactionSurvivesARestart) {
  auto p = coordinator->init_producer("t", 60000, -1, -1);
  ASSERT_EQ(coordinator->add_partitions("t", p.producer_id, 0, {{"out", 0}}), ErrorCode::kNone);
  ASSERT_EQ(coordinator->add_group("t", p.producer_id, 0, "g"), ErrorCode::kNone);
  ASSERT_EQ(coordinator->add_offsets("t", p.producer_id, 0, {{{"g", "in", 0}, {7, -1, "m", 0}}}),
            ErrorCode::kNone);
  start();
  auto t = coordinator->describe("t");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->state, TxnState::kOngoing);
  EXPECT_EQ(t->partitions.size(), 1u);
  EXPECT_EQ(t->pending_offsets.size(), 1u);
  ASSERT_EQ(coordinator->end_transaction("t", p.producer_id, 0, true), ErrorCode::kNone);
  EXPECT_EQ(offsets_store().fetch({"g", "in", 0})->metadata, "m");
}

TEST_F(TransactionCoordinatorTest, ARestartFinishesTheMarkersOfADecidedTransaction) {
  auto p = coordinator->init_producer("t", 60000, -1, -1);
  ASSERT_EQ(coordinator->add_partitions("t", p.producer_id, 0, {{"out", 0}, {"out", 1}}),
            ErrorCode::kNone);
  produce(p.producer_id, 0, 0, 0);
  produce(p.producer_id, 0, 0, 1);
  // As if killed right after PrepareCommit was logged, before any marker.
  TransactionMetadata prepared = *coordinator->describe("t");
  prepared.state = TxnState::kPrepareCommit;
  coordinator.reset();
  {
    std::map<std::string, TransactionMetadata> replayed;
    TransactionLog log(dir.path() / "transactions", false, replayed);
    log.write(prepared);
  }
  start();
  EXPECT_EQ(coordinator->describe("t")->state, TxnState::kCompleteCommit);
  EXPECT_EQ(end(0), 2);
  EXPECT_EQ(end(1), 2);
  EXPECT_EQ(view(0).last_stable_offset, 2);
  EXPECT_TRUE(view(1).aborted.empty());
}

TEST(TransactionLogFormat, ALineRoundTripsAndATornOneIsRefused) {
  TransactionMetadata t;
  t.transactional_id = "a b\n";
  t.producer_id = 5;
  t.producer_epoch = 3;
  t.state = TxnState::kPrepareAbort;
  t.start_time_ms = 99;
  t.partitions = {{"x", 0}, {"y z", 2}};
  t.groups = {"g"};
  t.pending_offsets[{"g", "x", 0}] = {10, 1, "", 5};
  std::string line = TransactionLog::encode(t);
  auto back = TransactionLog::decode(line.substr(0, line.size() - 1));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->transactional_id, t.transactional_id);
  EXPECT_EQ(back->state, t.state);
  EXPECT_EQ(back->partitions, t.partitions);
  EXPECT_EQ(back->groups, t.groups);
  EXPECT_EQ(back->pending_offsets.at({"g", "x", 0}).offset, 10);
  EXPECT_FALSE(TransactionLog::decode(line.substr(0, line.size() - 3)));
}

struct TransactionHandlersTest : TransactionCoordinatorTest {};

TEST_F(TransactionHandlersTest, TheTransactionApisTranslateToTheCoordinator) {
  auto p = coordinator->init_producer("t", 60000, -1, -1);
  protocol::AddPartitionsToTxnRequest add;
  add.transactional_id = "t";
  add.producer_id = p.producer_id;
  add.producer_epoch = 0;
  add.topics = {{"out", {0, 1}}, {"missing", {0}}};
  auto refused = call<protocol::AddPartitionsToTxnResponse>(add, 3);
  ASSERT_EQ(refused.results_by_topic.size(), 2u);
  EXPECT_EQ(refused.results_by_topic[0].partitions[0].error_code,
            protocol::code(ErrorCode::kOperationNotAttempted));
  EXPECT_EQ(refused.results_by_topic[1].partitions[0].error_code,
            protocol::code(ErrorCode::kUnknownTopicOrPartition));
  add.topics.pop_back();
  auto added = call<protocol::AddPartitionsToTxnResponse>(add, 0);
  EXPECT_EQ(added.results_by_topic[0].partitions[1].error_code, 0);

  protocol::DescribeTransactionsRequest describe;
  describe.transactional_ids = {"t", "nobody"};
  auto described = call<protocol::DescribeTransactionsResponse>(describe, 0);
  ASSERT_EQ(described.transaction_states.size(), 2u);
  EXPECT_EQ(described.transaction_states[0].transaction_state, "Ongoing");
  ASSERT_EQ(described.transaction_states[0].topics.size(), 1u);
  EXPECT_EQ(described.transaction_states[0].topics[0].partitions.size(), 2u);
  EXPECT_EQ(described.transaction_states[1].error_code,
            protocol::code(ErrorCode::kTransactionalIdNotFound));

  protocol::ListTransactionsRequest list;
  list.state_filters = {"Ongoing", "Sideways"};
  auto listed = call<protocol::ListTransactionsResponse>(list, 1);
  ASSERT_EQ(listed.transaction_states.size(), 1u);
  EXPECT_EQ(listed.unknown_state_filters, std::vector<std::string>{"Sideways"});

  protocol::EndTxnRequest stale;
  stale.transactional_id = "t";
  stale.producer_id = p.producer_id;
  stale.producer_epoch = -2;
  stale.committed = true;
  EXPECT_EQ(call<protocol::TxnErrorResponse>(stale, 1).error_code,
            protocol::code(ErrorCode::kInvalidProducerEpoch))
      << "PRODUCER_FENCED only from v2";
  EXPECT_EQ(call<protocol::TxnErrorResponse>(stale, 3).error_code,
            protocol::code(ErrorCode::kProducerFenced));
  stale.producer_epoch = 0;
  EXPECT_EQ(call<protocol::TxnErrorResponse>(stale, 3).error_code, 0);
  EXPECT_EQ(end(0), 1) << "one marker";
}

}  // namespace
}  // namespace sluice::broker::transactions
