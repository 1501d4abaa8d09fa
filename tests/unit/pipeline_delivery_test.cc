// The runtime's bookkeeping: which offsets may be committed, and what a
// re-routed record (delay topic, DLQ) carries.
#include <gtest/gtest.h>

#include "pipeline/offset_tracker.h"
#include "pipeline/reroute.h"

namespace sluice::pipeline {
namespace {

TEST(OffsetTracker, CommitsOnlyUpToTheFirstRecordStillInFlight) {
  OffsetTracker t;
  for (int64_t o = 10; o < 15; ++o) t.track(o);
  EXPECT_EQ(t.committable(), -1);
  t.done(12);
  t.done(13);
  EXPECT_EQ(t.committable(), -1) << "10 and 11 are not done yet";
  t.done(10);
  EXPECT_EQ(t.committable(), 11);
  t.done(11);
  EXPECT_EQ(t.committable(), 14) << "10..13 are done, 14 is not";
  t.done(14);
  EXPECT_EQ(t.committable(), 15);
  EXPECT_EQ(t.in_flight(), 0u);
}

TEST(OffsetTracker, GapsInOffsetsAreFine) {
  OffsetTracker t;  // compacted topics and transaction markers leave gaps
  t.track(3);
  t.track(7);
  t.done(7);
  t.done(3);
  EXPECT_EQ(t.committable(), 8);
}

Record consumed(const std::string& topic, int32_t partition, int64_t offset) {
  Record r;
  r.topic = topic;
  r.partition = partition;
  r.offset = offset;
  r.key = "key";
  r.value = "value";
  r.trace_id = "trace-1";
  r.headers = {{"app.header", "kept"}};
  return r;
}

std::map<std::string, std::string> headers_of(const OutputRecord& o) {
  std::map<std::string, std::string> m;
  for (const auto& [k, v] : o.headers) m[k] = v;
  return m;
}

TEST(Reroute, ADeadLetterKeepsKeyValueAndNamesItsOrigin) {
  Failure f{"ingest", ErrorCategory::kValidation, "missing field claim_id", 1, 1000};
  OutputRecord dlq = to_dead_letter(consumed("claims", 2, 42), "claims.dlq", f);
  EXPECT_EQ(dlq.topic, "claims.dlq");
  EXPECT_EQ(dlq.key, "key");
  EXPECT_EQ(dlq.value, "value");
  auto h = headers_of(dlq);
  EXPECT_EQ(h["app.header"], "kept");
  EXPECT_EQ(h["sluice.trace_id"], "trace-1");
  EXPECT_EQ(h["sluice.stage"], "ingest");
  EXPECT_EQ(h["sluice.error.category"], "validation");
  EXPECT_EQ(h["sluice.error.message"], "missing field claim_id");
  EXPECT_EQ(h["sluice.attempts"], "1");
  EXPECT_EQ(h["sluice.original.topic"], "claims");
  EXPECT_EQ(h["sluice.original.partition"], "2");
  EXPECT_EQ(h["sluice.original.offset"], "42");
  EXPECT_EQ(h["sluice.first_failed_at"], "1000");
  EXPECT_EQ(h["sluice.last_failed_at"], "1000");
}

TEST(Reroute, AStagesDlqHeadersFollowTheDlqsOwn) {
  Failure f{"validate", ErrorCategory::kValidation, "price must be > 0", 1, 1000};
  const Headers extra = {{"sluice.sequence.severity", "ERROR"}};
  OutputRecord dlq = to_dead_letter(consumed("ticks", 0, 1), "quarantine", f, extra);
  EXPECT_EQ(dlq.headers.back(), extra.back());
  EXPECT_EQ(headers_of(dlq)["sluice.error.category"], "validation");
  EXPECT_EQ(
      headers_of(to_dead_letter(consumed("ticks", 0, 1), "q", f)).count("sluice.sequence.severity"),
      0u);
}

TEST(Reroute, TheOriginAndFirstFailureSurviveEveryDelayTopicHop) {
  Failure first{"download", ErrorCategory::kTransient, "503", 3, 1000};
  OutputRecord hop1 = to_delay_topic(consumed("tasks", 0, 7), "tasks.retry.1", 1, 6000, first);

  // The delay-topic copy is consumed again from tasks.retry.1 at its own offset.
  Record again = consumed("tasks.retry.1", 0, 0);
  again.headers = hop1.headers;
  EXPECT_EQ(retry_level(again), 1);
  EXPECT_EQ(not_before_ms(again), 6000);
  EXPECT_EQ(previous_attempts(again), 3);

  Failure second{"download", ErrorCategory::kTimeout, "timed out", 3, 9000};
  auto h = headers_of(to_dead_letter(again, "tasks.dlq", second));
  EXPECT_EQ(h["sluice.original.topic"], "tasks");
  EXPECT_EQ(h["sluice.original.offset"], "7");
  EXPECT_EQ(h["sluice.first_failed_at"], "1000");
  EXPECT_EQ(h["sluice.last_failed_at"], "9000");
  EXPECT_EQ(h["sluice.attempts"], "6");
  EXPECT_EQ(h["sluice.error.category"], "timeout");
  EXPECT_EQ(h.count("sluice.retry.level"), 0u) << "a DLQ record is not a pending retry";
}

}  // namespace
}  // namespace sluice::pipeline
