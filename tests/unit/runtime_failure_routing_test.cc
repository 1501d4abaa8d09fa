// FailureRouter: in-process retries, then each delay topic, then the DLQ — and
// never a dropped record, even with the DLQ off.
#include <gtest/gtest.h>

#include "pipeline/reroute.h"
#include "pipeline/runtime/failure_routing.h"

namespace sluice::pipeline {
namespace {

StageConfig stage(bool dlq = true) {
  StageConfig s;
  s.name = "download";
  s.input = "claims.downloads";
  s.retry.max_attempts = 2;
  s.retry.max_backoff_ms = 5000;
  s.retry.delay_topic_delays_ms = {5000, 30000};
  s.dlq.enabled = dlq;
  s.dlq.topic = "claims.downloads.dlq";
  return s;
}

Record consumed(const std::string& topic) {
  Record r;
  r.topic = topic;
  r.partition = 1;
  r.offset = 7;
  r.value = "{}";
  r.trace_id = "t-1";
  return r;
}

const Outcome kTransient = Outcome::failure(ErrorCategory::kTransient, "503");

TEST(RuntimeFailureRouting, ATransientFailureRetriesInProcessFirst) {
  FailureRouter router(stage(), /*seed=*/1);
  FailureRoute r = router.route(consumed("claims.downloads"), kTransient, 1, 1000);
  EXPECT_EQ(r.kind, FailureRoute::kRetryInProcess);
  EXPECT_GE(r.backoff_ms, 0);
  EXPECT_LE(r.backoff_ms, 5000);
}

TEST(RuntimeFailureRouting, ExhaustedAttemptsGoToTheFirstDelayTopicWithItsDueTime) {
  FailureRouter router(stage(), 1);
  FailureRoute r = router.route(consumed("claims.downloads"), kTransient, 2, 1000);
  ASSERT_EQ(r.kind, FailureRoute::kReroute);
  EXPECT_FALSE(r.dead_letter);
  EXPECT_EQ(r.output.topic, "claims.downloads.retry.1");
  EXPECT_EQ(router.delay_topic(1), "claims.downloads.retry.1");
  Record back = consumed("claims.downloads.retry.1");
  back.headers = r.output.headers;
  EXPECT_EQ(not_before_ms(back), 1000 + 5000);
  EXPECT_EQ(retry_level(back), 1);
}

TEST(RuntimeFailureRouting, APermanentFailureIsDeadLetteredAtOnce) {
  FailureRouter router(stage(), 1);
  FailureRoute r = router.route(consumed("claims.downloads"),
                                Outcome::failure(ErrorCategory::kPermanent, "404"), 1, 1000);
  ASSERT_EQ(r.kind, FailureRoute::kReroute);
  EXPECT_TRUE(r.dead_letter);
  EXPECT_EQ(r.output.topic, "claims.downloads.dlq");
}

TEST(RuntimeFailureRouting, WithoutADlqARecordKeepsRetryingAtTheLongestBackoff) {
  FailureRouter router(stage(/*dlq=*/false), 1);
  FailureRoute r = router.route(consumed("claims.downloads"),
                                Outcome::failure(ErrorCategory::kPermanent, "404"), 1, 1000);
  EXPECT_EQ(r.kind, FailureRoute::kRetryInProcess);
  EXPECT_EQ(r.backoff_ms, 5000);
}

}  // namespace
}  // namespace sluice::pipeline
