// Delivery and BatchRunner against a producer whose cluster never answers (no
// broker needed): every output is reported failed when its message timeout
// passes, so the record must be processed again — never marked done.
#include <gtest/gtest.h>

#include <thread>

#include "common/clock.h"
#include "ops/metrics.h"
#include "pipeline/runtime/batch_runner.h"
#include "pipeline/runtime/delivery.h"
#include "runtime_delivery_support.h"

namespace sluice::pipeline {
namespace {

struct RuntimeDelivery : ::testing::Test {
  ops::MetricsRegistry registry;
  StageMetrics metrics{registry, "test", "test.group"};
  StageConfig stage = [] {
    StageConfig s;
    s.name = "test";
    s.output_key_salt = 4;
    return s;
  }();
  PartitionTable table;
  Delivery delivery{delivery_test::unanswered_cluster(200), stage, table, metrics, {}};

  std::shared_ptr<InFlight> consumed(int64_t offset) {
    return delivery_test::consumed(table, offset);
  }
  PartitionState& state() { return *table.find({"in", 0}); }
  // Serves reports until `done` or 10 s passed.
  template <typename Done>
  bool serve_until(Done done) {
    const int64_t deadline = mono_ms() + 10000;
    while (!done() && mono_ms() < deadline) delivery.poll(20);
    return done();
  }
};

TEST_F(RuntimeDelivery, NoOutputsMeansDoneAtOnce) {
  auto job = consumed(0);
  delivery.send(job, {});
  EXPECT_EQ(table.take_commits().at(0).offset, 1);
}

TEST_F(RuntimeDelivery, AFailedOutputSendsTheRecordBackToTheHeadOfItsPartition) {
  auto job = consumed(0);
  delivery.send(job, {OutputRecord{"in.dlq", std::nullopt, "v", {}}});
  EXPECT_EQ(state().unacked, 1);
  ASSERT_TRUE(serve_until([&] { return state().unacked == 0; }));
  ASSERT_EQ(state().pending.size(), 1u);
  EXPECT_EQ(state().pending.front(), job);
  EXPECT_GT(state().wait_until_ms, mono_ms()) << "redelivered after a backoff";
  EXPECT_TRUE(table.take_commits().empty()) << "not acknowledged, not committed";
  EXPECT_EQ(job->self, nullptr) << "the last report released the record";
}

TEST_F(RuntimeDelivery, AWorkersOutputsSettleOnlyAfterTheOutcomeWasHandled) {
  auto job = consumed(6);
  std::vector<OutputRecord> outputs = {OutputRecord{"out", "key", "v", {}}};
  delivery.produce_outputs(job, outputs);
  EXPECT_EQ(outputs[0].key, "key_2") << "salted by offset % output_key_salt";
  ASSERT_EQ(outputs[0].headers.size(), 1u);
  EXPECT_EQ(outputs[0].headers[0].second, "trace-6") << "the trace id travels on";
  // Every report comes in before the poll thread handled the worker's outcome.
  const int64_t deadline = mono_ms() + 10000;
  while (job->remaining > 0 && mono_ms() < deadline) delivery.poll(20);
  ASSERT_EQ(job->remaining, 0);
  EXPECT_TRUE(state().pending.empty()) << "waits for the outcome";
  delivery.outcome_handled(job);
  EXPECT_EQ(state().unacked, 0);
  ASSERT_EQ(state().pending.size(), 1u) << "then settles: failed, so processed again";
}

struct Echo : Processor {
  Outcome process(const Record& r) override {
    if (r.offset == 2) return Outcome::failure(ErrorCategory::kTransient, "boom");
    if (r.offset == 3) throw std::runtime_error("bug");
    return Outcome::success();
  }
};

TEST_F(RuntimeDelivery, ABatchComesBackWholeAndStopsAtTheFirstFailure) {
  Echo echo;
  Wakeup wakeup;
  BatchRunner runner(echo, nullptr, delivery, wakeup);
  Batch batch = {consumed(0), consumed(1), consumed(2), consumed(3)};
  std::thread worker([&] { runner.run({"in", 0}, batch); });
  worker.join();
  std::vector<Completion> done = runner.take();
  ASSERT_EQ(done.size(), 1u);
  ASSERT_EQ(done[0].results.size(), 3u);
  EXPECT_TRUE(done[0].results[1].outcome.ok);
  EXPECT_FALSE(done[0].results[2].outcome.ok);
  ASSERT_EQ(done[0].returned.size(), 1u) << "the record after the failure, untouched";
  EXPECT_EQ(done[0].returned[0]->offset, 3);
  EXPECT_TRUE(runner.take().empty()) << "each batch comes back once";
}

TEST_F(RuntimeDelivery, AProcessorThatThrowsFailsItsRecordPermanently) {
  Echo echo;
  Wakeup wakeup;
  BatchRunner runner(echo, nullptr, delivery, wakeup);
  runner.run({"in", 0}, {consumed(3)});
  std::vector<Completion> done = runner.take();
  ASSERT_EQ(done.at(0).results.size(), 1u);
  EXPECT_EQ(done[0].results[0].outcome.category, ErrorCategory::kPermanent);
  EXPECT_NE(done[0].results[0].outcome.message.find("bug"), std::string::npos);
}

TEST_F(RuntimeDelivery, AFailedTickIsSentAgainOnlyToTheOwnershipThatEmittedIt) {
  table.assign({"in", 0});
  delivery.send_tick({"in", 0}, {OutputRecord{"out", std::nullopt, "window row", {}}});
  EXPECT_EQ(state().unacked, 1) << "the tick holds its partition unacknowledged";
  ASSERT_TRUE(serve_until([&] { return delivery.producer().outstanding() == 0; }));
  EXPECT_EQ(state().unacked, 1) << "failed: parked to be sent again, still unacknowledged";

  // Revoked and assigned again before the retry: the new owner restored the
  // state from before the tick, and its own tick will emit these rows.
  table.revoke({"in", 0});
  table.assign({"in", 0});
  EXPECT_EQ(delivery.retry_ticks(mono_ms() + Delivery::kRedeliveryBackoffMs), 0);
  EXPECT_EQ(state().unacked, 0);
}

TEST_F(RuntimeDelivery, ATicksReportAfterARevokeLeavesTheNextOwnerAlone) {
  table.assign({"in", 0});
  delivery.send_tick({"in", 0}, {OutputRecord{"out", std::nullopt, "window row", {}}});
  table.revoke({"in", 0});
  table.assign({"in", 0});
  ASSERT_TRUE(serve_until([&] { return delivery.producer().outstanding() == 0; }));
  EXPECT_EQ(state().unacked, 0) << "never below zero, never held by the old tick";
  EXPECT_EQ(delivery.retry_ticks(mono_ms() + Delivery::kRedeliveryBackoffMs), 0);
}

}  // namespace
}  // namespace sluice::pipeline
