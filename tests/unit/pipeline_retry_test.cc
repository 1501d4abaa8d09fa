// The retry policy: which failures are retried where, and how long each wait is.
#include <gtest/gtest.h>

#include "pipeline/reroute.h"
#include "pipeline/retry_policy.h"

namespace sluice::pipeline {
namespace {

RetryConfig no_jitter() {
  RetryConfig c;
  c.max_attempts = 3;
  c.initial_backoff_ms = 100;
  c.max_backoff_ms = 1000;
  c.multiplier = 2.0;
  c.jitter = 0;
  c.delay_topic_delays_ms = {5000, 30000};
  return c;
}

TEST(ErrorCategoryNames, RoundTripThroughTheirStableNames) {
  EXPECT_STREQ(category_name(ErrorCategory::kValidation), "validation");
  EXPECT_STREQ(category_name(ErrorCategory::kTransient), "transient");
  EXPECT_STREQ(category_name(ErrorCategory::kTimeout), "timeout");
  EXPECT_STREQ(category_name(ErrorCategory::kPermanent), "permanent");
  EXPECT_STREQ(category_name(ErrorCategory::kCircuitOpen), "circuit_open");
  for (ErrorCategory c : kAllErrorCategories) EXPECT_EQ(parse_category(category_name(c)), c);
  EXPECT_EQ(parse_category("Transient"), std::nullopt);
  EXPECT_EQ(parse_category(""), std::nullopt);
}

TEST(RetryDecide, ValidationErrorsGoStraightToTheDlq) {
  RetryPolicy p(no_jitter(), 1);
  EXPECT_EQ(p.decide(ErrorCategory::kValidation, 1, 0).kind, RetryDecision::kDeadLetter);
}

TEST(RetryDecide, PermanentErrorsGoStraightToTheDlqEvenFromADelayTopic) {
  RetryPolicy p(no_jitter(), 1);
  EXPECT_EQ(p.decide(ErrorCategory::kPermanent, 1, 0).kind, RetryDecision::kDeadLetter);
  EXPECT_EQ(p.decide(ErrorCategory::kPermanent, 1, 1).kind, RetryDecision::kDeadLetter);
}

TEST(RetryDecide, TransientAndTimeoutRetryInProcessWhileAttemptsRemain) {
  RetryPolicy p(no_jitter(), 1);
  for (ErrorCategory c : {ErrorCategory::kTransient, ErrorCategory::kTimeout}) {
    RetryDecision first = p.decide(c, 1, 0);
    EXPECT_EQ(first.kind, RetryDecision::kRetryInProcess);
    EXPECT_EQ(first.backoff_ms, 100);
    RetryDecision second = p.decide(c, 2, 0);
    EXPECT_EQ(second.kind, RetryDecision::kRetryInProcess);
    EXPECT_EQ(second.backoff_ms, 200);
  }
}

TEST(RetryDecide, ExhaustedInProcessAttemptsMoveToTheNextDelayTopic) {
  RetryPolicy p(no_jitter(), 1);
  RetryDecision from_input = p.decide(ErrorCategory::kTransient, 3, 0);
  EXPECT_EQ(from_input.kind, RetryDecision::kDelayTopic);
  EXPECT_EQ(from_input.delay_topic, 1);
  EXPECT_EQ(from_input.backoff_ms, 5000);
  RetryDecision from_first = p.decide(ErrorCategory::kTimeout, 3, 1);
  EXPECT_EQ(from_first.kind, RetryDecision::kDelayTopic);
  EXPECT_EQ(from_first.delay_topic, 2);
  EXPECT_EQ(from_first.backoff_ms, 30000);
}

TEST(RetryDecide, OnARetryTopicInProcessRetriesComeFirstAgain) {
  RetryPolicy p(no_jitter(), 1);
  EXPECT_EQ(p.decide(ErrorCategory::kTransient, 1, 1).kind, RetryDecision::kRetryInProcess);
}

TEST(RetryDecide, AfterTheLastDelayTopicTheRecordGoesToTheDlq) {
  RetryPolicy p(no_jitter(), 1);
  EXPECT_EQ(p.decide(ErrorCategory::kTransient, 3, 2).kind, RetryDecision::kDeadLetter);
  EXPECT_EQ(p.decide(ErrorCategory::kTransient, 3, 7).kind, RetryDecision::kDeadLetter)
      << "a level beyond the configured topics (config shrank) still ends in the DLQ";
}

TEST(RetryDecide, WithoutDelayTopicsExhaustedAttemptsGoToTheDlq) {
  RetryConfig c = no_jitter();
  c.delay_topic_delays_ms.clear();
  RetryPolicy p(c, 1);
  EXPECT_EQ(p.decide(ErrorCategory::kTransient, 3, 0).kind, RetryDecision::kDeadLetter);
}

TEST(RetryDecide, MaxAttemptsOfOneSkipsInProcessRetries) {
  RetryConfig c = no_jitter();
  c.max_attempts = 1;
  RetryPolicy p(c, 1);
  EXPECT_EQ(p.decide(ErrorCategory::kTransient, 1, 0).kind, RetryDecision::kDelayTopic);
}

TEST(RetryDecide, CircuitOpenWaitsInProcessHoweverManyAttempts) {
  RetryPolicy p(no_jitter(), 1);
  RetryDecision d = p.decide(ErrorCategory::kCircuitOpen, 50, 2);
  EXPECT_EQ(d.kind, RetryDecision::kRetryInProcess);
  EXPECT_EQ(d.backoff_ms, 1000);
}

TEST(RetryBackoff, GrowsByTheMultiplierUntilTheCap) {
  RetryPolicy p(no_jitter(), 1);
  EXPECT_EQ(p.backoff_ms(1), 100);
  EXPECT_EQ(p.backoff_ms(2), 200);
  EXPECT_EQ(p.backoff_ms(3), 400);
  EXPECT_EQ(p.backoff_ms(4), 800);
  EXPECT_EQ(p.backoff_ms(5), 1000);
  EXPECT_EQ(p.backoff_ms(1000000), 1000) << "huge attempt numbers must not overflow";
  EXPECT_EQ(p.backoff_ms(0), 100) << "attempt numbers below 1 count as the first";
}

TEST(RetryBackoff, JitterStaysWithinItsFractionAndNeverExceedsTheCap) {
  RetryConfig c = no_jitter();
  c.jitter = 0.2;
  c.max_backoff_ms = 10000;
  RetryPolicy p(c, 42);
  int64_t lowest = INT64_MAX, highest = 0;
  for (int i = 0; i < 2000; ++i) {
    int64_t b = p.backoff_ms(2);  // base 200
    lowest = std::min(lowest, b);
    highest = std::max(highest, b);
    ASSERT_GE(b, 160);
    ASSERT_LE(b, 240);
  }
  EXPECT_LT(lowest, 170) << "jitter should reach near its lower bound";
  EXPECT_GT(highest, 230) << "jitter should reach near its upper bound";
  for (int i = 0; i < 200; ++i) ASSERT_LE(p.backoff_ms(30), 10000);
}

TEST(RetryBackoff, SameSeedGivesTheSameSequence) {
  RetryConfig c = no_jitter();
  c.jitter = 0.5;
  RetryPolicy a(c, 7), b(c, 7);
  for (int i = 1; i < 20; ++i) EXPECT_EQ(a.backoff_ms(i % 4 + 1), b.backoff_ms(i % 4 + 1));
}

TEST(RetryBackoff, NonsenseConfigsStillGiveAWaitInRange) {
  RetryConfig c;
  c.initial_backoff_ms = 0;
  c.multiplier = 1e300;
  c.jitter = std::numeric_limits<double>::quiet_NaN();
  RetryPolicy p(c, 1);
  EXPECT_EQ(p.backoff_ms(100), 0);
  c.initial_backoff_ms = 10;
  c.max_backoff_ms = -5;
  EXPECT_EQ(RetryPolicy(c, 1).backoff_ms(3), 0);
}

}  // namespace
}  // namespace sluice::pipeline

namespace sluice::pipeline {
namespace {

Record replayed(int count) {
  Record r;
  r.topic = "claims.events";
  if (count > 0) r.headers.emplace_back(header::kReplayCount, std::to_string(count));
  return r;
}

TEST(DeadLetterTopicTest, ARecordNeverReplayedGoesToTheDlq) {
  EXPECT_EQ(dead_letter_topic(replayed(0), "claims.events.dlq", 3), "claims.events.dlq");
}

TEST(DeadLetterTopicTest, AReplayedRecordReturnsToTheDlqUntilItsLastAllowedReplay) {
  EXPECT_EQ(dead_letter_topic(replayed(2), "claims.events.dlq", 3), "claims.events.dlq");
  EXPECT_EQ(dead_letter_topic(replayed(3), "claims.events.dlq", 3), "claims.events.dlq.parked");
}

TEST(DeadLetterTopicTest, TheReplayCountSurvivesTheNextHop) {
  Record r = replayed(1);
  r.headers.emplace_back(header::kReplayedFrom, "claims.events.dlq/0/7");
  OutputRecord out = to_dead_letter(r, "claims.events.dlq",
                                    Failure{"ingest", ErrorCategory::kValidation, "bad", 1, 5});
  int found = 0;
  for (const auto& [k, v] : out.headers) {
    found += (k == header::kReplayCount && v == "1") ||
             (k == header::kReplayedFrom && v == "claims.events.dlq/0/7");
  }
  EXPECT_EQ(found, 2);
}

}  // namespace
}  // namespace sluice::pipeline
