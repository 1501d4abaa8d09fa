// Ticks (StatefulProcessor::tick): outputs a processor emits without an input
// record. Their delivery holds the partition unacknowledged until every output
// is acknowledged — so no checkpoint can forget them — and a failed delivery
// sends the same outputs again instead of losing them or turning them into a
// record to reprocess. The changed state is then checkpointed at the same offset.
#include <gtest/gtest.h>

#include "common/clock.h"
#include "memory_checkpoint_store.h"
#include "ops/metrics.h"
#include "pipeline/runtime/delivery.h"
#include "pipeline/state/partition_states.h"
#include "runtime_delivery_support.h"

namespace sluice::pipeline {
namespace {

struct RuntimeTick : ::testing::Test {
  ops::MetricsRegistry registry;
  StageMetrics metrics{registry, "test", "test.group"};
  StageConfig stage = [] {
    StageConfig s;
    s.name = "test";
    return s;
  }();
  PartitionTable table;
  Delivery delivery{delivery_test::unanswered_cluster(200), stage, table, metrics, {}};
  const TopicPartition tp{"in", 0};

  PartitionState& state() { return table.assign(tp); }
  template <typename Done>
  bool serve_until(Done done) {
    const int64_t deadline = mono_ms() + 10000;
    while (!done() && mono_ms() < deadline) delivery.poll(20);
    return done();
  }
};

TEST_F(RuntimeTick, ATickWithoutOutputsChangesNothing) {
  state();
  delivery.send_tick(tp, {});
  EXPECT_EQ(state().unacked, 0);
  EXPECT_FALSE(state().state_changed);
}

TEST_F(RuntimeTick, AFailedTickStaysUnacknowledgedAndIsSentAgainNotReprocessed) {
  state();
  delivery.send_tick(tp, {OutputRecord{"rows", std::nullopt, "window row", {}}});
  EXPECT_EQ(state().unacked, 1) << "no checkpoint while the tick's outputs are out";
  // The cluster never answers: the output is reported failed after its timeout.
  ASSERT_TRUE(serve_until([&] { return delivery.producer().outstanding() == 0; }));
  EXPECT_EQ(state().unacked, 1) << "still unacknowledged: a checkpoint now would forget the row";
  EXPECT_TRUE(state().pending.empty()) << "a tick is not a record to process again";
  EXPECT_FALSE(state().state_changed);
  EXPECT_EQ(delivery.retry_ticks(mono_ms()), 0) << "not before its backoff";
  EXPECT_EQ(delivery.retry_ticks(mono_ms() + Delivery::kRedeliveryBackoffMs + 1), 1)
      << "the same output, sent again";
  EXPECT_EQ(state().unacked, 1);
  ASSERT_TRUE(serve_until([&] { return delivery.producer().outstanding() == 0; }));
  EXPECT_EQ(state().unacked, 1) << "failed again: still held";
}

TEST_F(RuntimeTick, AFailedTickOfARevokedPartitionIsDropped) {
  state();
  delivery.send_tick(tp, {OutputRecord{"rows", std::nullopt, "window row", {}}});
  ASSERT_TRUE(serve_until([&] { return delivery.producer().outstanding() == 0; }));
  table.revoke(tp);  // its next owner restores the state from before the tick
  EXPECT_EQ(delivery.retry_ticks(mono_ms() + Delivery::kRedeliveryBackoffMs + 1), 0);
}

struct Counter : StatefulProcessor {
  int value = 0;
  void restore(const std::string&, int32_t, const std::optional<ProcessorState>& s) override {
    value = s ? std::stoi(s->head) : 0;
  }
  ProcessorState snapshot(const std::string&, int32_t) override { return std::to_string(value); }
  void release(const std::string&, int32_t) override {}
};

TEST(RuntimeTickCheckpoint, AStateChangedByATickIsCheckpointedAtTheSameOffset) {
  MemoryCheckpointStore store;
  Counter processor;
  PartitionStates states("g", processor, store);
  states.assigned("in", 0);
  processor.value = 1;
  ASSERT_TRUE(states.checkpoint("in", 0, 10));
  processor.value = 2;  // a tick changed the state; no record moved the offset
  EXPECT_FALSE(states.checkpoint("in", 0, 10)) << "unchanged offset, no tick: nothing to write";
  EXPECT_TRUE(states.checkpoint("in", 0, 10, /*state_changed=*/true));
  EXPECT_FALSE(states.checkpoint("in", 0, 9, true)) << "never behind the last checkpoint";
  Counter elsewhere;
  PartitionStates restarted("g", elsewhere, store);
  EXPECT_EQ(restarted.assigned("in", 0), 10);
  EXPECT_EQ(elsewhere.value, 2);
}

}  // namespace
}  // namespace sluice::pipeline
