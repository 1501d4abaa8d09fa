// Delivery replacing its producer after an error only a new producer id clears
// (librdkafka's fatal idempotence error, raised here with its test hook), with
// no broker: a record still queued is failed, goes back to its partition to be
// processed again (never lost), and the new producer takes the next sends.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include "common/clock.h"
#include "ops/metrics.h"
#include "pipeline/runtime/delivery.h"
#include "runtime_delivery_support.h"

namespace sluice::pipeline {
namespace {

struct ProducerRenewal : ::testing::Test {
  ops::MetricsRegistry registry;
  StageMetrics metrics{registry, "test", "test.group"};
  StageConfig stage = [] {
    StageConfig s;
    s.name = "test";
    s.stall.max_delivery_failures = 1;
    return s;
  }();
  PartitionTable table;
  ProgressWatchdog watchdog{stage.stall, registry, "test"};
  // Nothing answers and records wait long: whatever fails them is the renewal.
  Delivery delivery{
      delivery_test::unanswered_cluster(120000), stage, table, metrics, {}, &watchdog};

  // A record still with librdkafka keeps itself alive until its report
  // (InFlight::self): purge and serve the reports so none outlives the test.
  ~ProducerRenewal() override {
    delivery.producer().purge();
    const int64_t deadline = mono_ms() + 5000;
    while (delivery.producer().outstanding() > 0 && mono_ms() < deadline) delivery.poll(20);
  }

  std::shared_ptr<InFlight> consumed(int64_t offset) {
    return delivery_test::consumed(table, offset);
  }
  PartitionState& state() { return *table.find({"in", 0}); }
  void make_fatal() {
    ASSERT_EQ(rd_kafka_test_fatal_error(delivery.producer().handle(),
                                        RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                                        "test: the broker lost this producer's state"),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  // Serves reports and tries a renewal until one happened or 10 s passed.
  bool renewed() {
    const int64_t deadline = mono_ms() + 10000;
    while (mono_ms() < deadline) {
      delivery.poll(20);
      if (delivery.renew_if_needed(mono_ms())) return true;
    }
    return false;
  }
};

TEST_F(ProducerRenewal, NothingToRenewWhileTheProducerIsHealthy) {
  delivery.poll(50);
  EXPECT_FALSE(delivery.renew_if_needed(mono_ms()));
  EXPECT_EQ(delivery.renewals(), 0);
}

TEST_F(ProducerRenewal, AFatalErrorRenewsTheProducerAndRequeuesTheUnsentRecord) {
  auto job = consumed(4);
  delivery.send(job, {OutputRecord{"in.dlq", std::nullopt, "v", {}}});
  ASSERT_EQ(state().unacked, 1);
  make_fatal();

  ASSERT_TRUE(renewed());

  EXPECT_EQ(delivery.renewals(), 1);
  EXPECT_EQ(
      registry.counter("sluice_stage_producer_renewals_total", "", {{"stage", "test"}}).value(), 1);
  EXPECT_EQ(delivery.producer().fatal_error(), "") << "a new producer, not the fatal one";
  EXPECT_EQ(state().unacked, 0) << "the old producer reported every record before it went";
  ASSERT_EQ(state().pending.size(), 1u) << "the unsent record is back, to be processed again";
  EXPECT_EQ(state().pending.front(), job);
  EXPECT_TRUE(table.take_commits().empty()) << "not acknowledged, not committed";
  ASSERT_TRUE(watchdog.stall()) << "and its failed delivery counted";
  EXPECT_EQ(watchdog.stall()->offset, 4);

  // The new producer takes sends (queued: there is still no broker).
  auto next = consumed(5);
  delivery.send(next, {OutputRecord{"in.dlq", std::nullopt, "w", {}}});
  EXPECT_EQ(state().unacked, 1);
  // outstanding() is librdkafka's queue length, which also counts its own events
  // (connection errors with no broker here), so only a lower bound is certain.
  EXPECT_GE(delivery.producer().outstanding(), 1);
  EXPECT_FALSE(delivery.renew_if_needed(mono_ms())) << "nothing asked for another renewal";
}

TEST_F(ProducerRenewal, RenewalsAreSpacedWhileTheyDoNotHelp) {
  make_fatal();
  ASSERT_TRUE(renewed());
  make_fatal();
  delivery.poll(100);
  EXPECT_FALSE(delivery.renew_if_needed(mono_ms())) << "not again at once";
  EXPECT_TRUE(delivery.renew_if_needed(mono_ms() + Delivery::kRenewalMinGapMs + 1));
  EXPECT_EQ(delivery.renewals(), 2);
}

}  // namespace
}  // namespace sluice::pipeline
