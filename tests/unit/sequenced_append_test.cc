// Appending produced batches with Kafka's idempotent-producer rules, against a
// real partition log: a retry is answered with its first offset and written
// once; a gap or an old epoch is refused and writes nothing.
#include "broker/producers/sequenced_append.h"

#include <gtest/gtest.h>

#include "broker/storage/partition_log.h"
#include "broker_batches_test_util.h"
#include "temp_dir.h"

namespace sluice::broker {
namespace {

using testing::idempotent_batch;
using testing::plain_batch;

class SequencedAppendTest : public ::testing::Test {
 protected:
  SequencedAppend append(Bytes batch) {
    SequencedAppend a = append_with_sequence_check(producers, "t", 0, *log, batch);
    if (a.commit_to >= 0) log->commit(a.commit_to);  // as the Produce handler does
    return a;
  }
  sluice::testing::TempDir dir;
  std::unique_ptr<PartitionLog> log = PartitionLog::open(dir.path(), LogConfig{});
  ProducerRegistry producers;
};

TEST_F(SequencedAppendTest, ABatchWithoutAProducerIdIsAppendedAsIs) {
  EXPECT_EQ(append(plain_batch(2)).base_offset, 0);
  EXPECT_EQ(append(plain_batch(2)).base_offset, 2);
  EXPECT_EQ(log->log_end_offset(), 4);
}

TEST_F(SequencedAppendTest, ARetriedBatchIsAnsweredWithItsFirstOffsetAndWrittenOnce) {
  ASSERT_EQ(append(idempotent_batch(7, 0, 0, 3)).verdict, SequenceVerdict::kAppend);
  ASSERT_EQ(append(idempotent_batch(7, 0, 3, 2)).base_offset, 3);
  auto retry = append(idempotent_batch(7, 0, 0, 3));
  EXPECT_EQ(retry.verdict, SequenceVerdict::kDuplicate);
  EXPECT_EQ(retry.base_offset, 0);
  EXPECT_EQ(log->log_end_offset(), 5);
}

TEST_F(SequencedAppendTest, AGapIsRefusedAndWritesNothing) {
  ASSERT_EQ(append(idempotent_batch(7, 0, 0, 3)).verdict, SequenceVerdict::kAppend);
  auto gap = append(idempotent_batch(7, 0, 9, 1));
  EXPECT_EQ(gap.verdict, SequenceVerdict::kOutOfOrder);
  EXPECT_FALSE(gap.reason.empty());
  EXPECT_EQ(log->log_end_offset(), 3);
}

TEST_F(SequencedAppendTest, AnOlderEpochIsFenced) {
  ASSERT_EQ(append(idempotent_batch(7, 2, 0, 1)).verdict, SequenceVerdict::kAppend);
  EXPECT_EQ(append(idempotent_batch(7, 1, 1, 1)).verdict, SequenceVerdict::kFenced);
  EXPECT_EQ(log->log_end_offset(), 1);
}

TEST_F(SequencedAppendTest, StateIsRebuiltFromTheLogAfterARestart) {
  ASSERT_EQ(append(idempotent_batch(7, 0, 0, 3)).verdict, SequenceVerdict::kAppend);
  ProducerRegistry after_restart;
  Bytes retry = idempotent_batch(7, 0, 0, 3);
  EXPECT_EQ(append_with_sequence_check(after_restart, "t", 0, *log, retry).verdict,
            SequenceVerdict::kDuplicate);
  Bytes next = idempotent_batch(7, 0, 3, 1);
  EXPECT_EQ(append_with_sequence_check(after_restart, "t", 0, *log, next).verdict,
            SequenceVerdict::kAppend);
}

}  // namespace
}  // namespace sluice::broker
