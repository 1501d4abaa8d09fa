// FlowControl: a full buffer first stops reading, pauses only after
// kHardPauseAfterMs, and resumes once drained to half. Times are monotonic
// milliseconds, never 0 in a running process.
#include <gtest/gtest.h>

#include "pipeline/runtime/flow_control.h"

namespace sluice::pipeline {
namespace {

QueueConfig queue(int records, int64_t bytes) {
  QueueConfig q;
  q.max_buffered_records = records;
  q.max_buffered_bytes = bytes;
  return q;
}

TEST(RuntimeFlowControl, AFullBufferStopsReadingBeforeItPauses) {
  FlowControl flow(queue(100, 1 << 20));
  EXPECT_TRUE(flow.reading());
  EXPECT_FALSE(flow.update({100, 10}, false, false, 1000)) << "full, but not for long yet";
  EXPECT_FALSE(flow.reading()) << "reading stops at once";
  EXPECT_FALSE(flow.paused());
  EXPECT_FALSE(flow.update({100, 10}, false, false, 1000 + FlowControl::kHardPauseAfterMs - 1));
  auto change = flow.update({100, 10}, false, false, 1000 + FlowControl::kHardPauseAfterMs);
  ASSERT_TRUE(change);
  EXPECT_TRUE(change->paused);
  EXPECT_EQ(change->reason, FlowControl::Reason::kQueueFull);
  EXPECT_TRUE(flow.reading()) << "paused partitions are polled, so rebalances are served";
}

TEST(RuntimeFlowControl, ResumesOnlyOnceDrainedToHalf) {
  FlowControl flow(queue(100, 1 << 20));
  flow.update({100, 10}, false, false, 1000);
  ASSERT_TRUE(flow.update({100, 10}, false, false, 1000 + FlowControl::kHardPauseAfterMs));
  EXPECT_FALSE(flow.update({51, 10}, false, false, 10000)) << "above half: still paused";
  auto change = flow.update({50, 10}, false, false, 10001);
  ASSERT_TRUE(change);
  EXPECT_FALSE(change->paused);
  EXPECT_EQ(change->reason, FlowControl::Reason::kDrained);
  EXPECT_TRUE(flow.reading());
}

TEST(RuntimeFlowControl, BytesCountLikeRecords) {
  FlowControl flow(queue(1000, 100));
  flow.update({1, 100}, false, false, 1000);
  EXPECT_FALSE(flow.reading());
  EXPECT_TRUE(flow.update({1, 100}, false, false, 1000 + FlowControl::kHardPauseAfterMs));
}

TEST(RuntimeFlowControl, OperatorAndBreakerPauseAtOnceAndSayWhy) {
  FlowControl flow(queue(100, 1 << 20));
  auto op = flow.update({0, 0}, true, true, 0);
  ASSERT_TRUE(op);
  EXPECT_TRUE(op->paused);
  EXPECT_EQ(op->reason, FlowControl::Reason::kOperator) << "the operator's word comes first";
  EXPECT_FALSE(flow.update({0, 0}, false, true, 1)) << "still paused, by the breaker now";
  auto resumed = flow.update({0, 0}, false, false, 2);
  ASSERT_TRUE(resumed);
  EXPECT_FALSE(resumed->paused);
  EXPECT_STREQ(FlowControl::reason_name(FlowControl::Reason::kBreakerOpen), "circuit breaker open");
}

TEST(RuntimeFlowControl, AFreshAssignmentStartsUnpaused) {
  FlowControl flow(queue(100, 1 << 20));
  ASSERT_TRUE(flow.update({0, 0}, true, false, 0));
  flow.assigned();  // the consumer resumed every assigned partition
  EXPECT_FALSE(flow.paused());
  auto again = flow.update({0, 0}, true, false, 1);
  ASSERT_TRUE(again) << "pauses the new assignment again";
  EXPECT_TRUE(again->paused);
}

}  // namespace
}  // namespace sluice::pipeline
