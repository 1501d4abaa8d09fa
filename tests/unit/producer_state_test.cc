// Idempotent producer sequence rules, as a Kafka broker enforces them.
#include "broker/producers/producer_state.h"

#include <gtest/gtest.h>

namespace sluice::broker {
namespace {

BatchHeader batch(int64_t pid, int16_t epoch, int32_t seq, int32_t count, int64_t base_offset = 0) {
  BatchHeader h;
  h.producer_id = pid;
  h.producer_epoch = epoch;
  h.base_sequence = seq;
  h.record_count = count;
  h.last_offset_delta = count - 1;
  h.base_offset = base_offset;
  return h;
}

TEST(ProducerState, ANewProducerMustStartAtSequenceZero) {
  ProducerStateTable t;
  EXPECT_EQ(t.check(batch(7, 0, 0, 3)).verdict, SequenceVerdict::kAppend);
  // KIP-360: not out of order but unknown, so the client bumps its epoch and restarts at 0.
  EXPECT_EQ(t.check(batch(7, 0, 5, 3)).verdict, SequenceVerdict::kUnknownProducer);
}

TEST(ProducerState, AProducerWhoseStateIsGoneRestartsAtANewEpochFromZero) {
  ProducerStateTable t;
  auto unknown = t.check(batch(7, 2, 40, 1));
  EXPECT_EQ(unknown.verdict, SequenceVerdict::kUnknownProducer);
  EXPECT_NE(unknown.reason.find("bump its epoch"), std::string::npos) << unknown.reason;
  EXPECT_EQ(t.check(batch(7, 3, 0, 1)).verdict, SequenceVerdict::kAppend);
  t.record(batch(7, 3, 0, 1));
  EXPECT_EQ(t.check(batch(7, 3, 1, 1)).verdict, SequenceVerdict::kAppend);
  // A known producer at a new epoch must still start at 0: that is out of order.
  EXPECT_EQ(t.check(batch(7, 4, 7, 1)).verdict, SequenceVerdict::kOutOfOrder);
}

TEST(ProducerState, ARetryOfOneOfTheLastFiveBatchesIsADuplicateWithItsOriginalOffset) {
  ProducerStateTable t;
  for (int i = 0; i < 5; ++i) t.record(batch(7, 0, i * 10, 10, 100 + i * 10));
  auto c = t.check(batch(7, 0, 20, 10));
  EXPECT_EQ(c.verdict, SequenceVerdict::kDuplicate);
  EXPECT_EQ(c.duplicate_base_offset, 120);
  t.record(batch(7, 0, 50, 10, 150));  // pushes sequence 0..9 out of the window
  EXPECT_EQ(t.check(batch(7, 0, 0, 10)).verdict, SequenceVerdict::kOutOfOrder);
}

TEST(ProducerState, AGapInSequencesIsOutOfOrder) {
  ProducerStateTable t;
  t.record(batch(7, 0, 0, 10));
  EXPECT_EQ(t.check(batch(7, 0, 10, 1)).verdict, SequenceVerdict::kAppend);
  auto c = t.check(batch(7, 0, 11, 1));
  EXPECT_EQ(c.verdict, SequenceVerdict::kOutOfOrder);
  EXPECT_NE(c.reason.find("10 was expected"), std::string::npos) << c.reason;
}

TEST(ProducerState, AnOlderEpochIsFencedAndANewerOneRestartsAtZero) {
  ProducerStateTable t;
  t.record(batch(7, 3, 0, 10));
  EXPECT_EQ(t.check(batch(7, 2, 10, 1)).verdict, SequenceVerdict::kFenced);
  EXPECT_EQ(t.check(batch(7, 4, 0, 1)).verdict, SequenceVerdict::kAppend);
  EXPECT_EQ(t.check(batch(7, 4, 10, 1)).verdict, SequenceVerdict::kOutOfOrder);
}

TEST(ProducerState, SequencesWrapAtInt32Max) {
  ProducerStateTable t;
  t.record(batch(7, 0, 0, 1));
  t.record(batch(7, 0, 1, INT32_MAX - 1));  // last sequence INT32_MAX - 1
  EXPECT_EQ(t.check(batch(7, 0, INT32_MAX, 2)).verdict, SequenceVerdict::kAppend);
  t.record(batch(7, 0, INT32_MAX, 2));  // covers INT32_MAX and 0
  EXPECT_EQ(t.check(batch(7, 0, 1, 1)).verdict, SequenceVerdict::kAppend);
  EXPECT_EQ(last_sequence(INT32_MAX, 2), 0);
  EXPECT_EQ(next_sequence(INT32_MAX), 0);
}

TEST(ProducerState, ProducersAreTrackedIndependently) {
  ProducerStateTable t;
  t.record(batch(1, 0, 0, 5));
  EXPECT_EQ(t.check(batch(2, 0, 0, 5)).verdict, SequenceVerdict::kAppend);
  EXPECT_EQ(t.check(batch(1, 0, 5, 5)).verdict, SequenceVerdict::kAppend);
}

}  // namespace
}  // namespace sluice::broker
