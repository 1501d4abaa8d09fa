// Kafka's checks on what a client produced (check_client_batch): a record count
// that does not match the offsets or the records, and records that overrun or
// underrun the batch length, are INVALID_RECORD — never stored.
#include <gtest/gtest.h>

#include "broker/storage/incoming_batches.h"
#include "broker/storage/record_batch.h"
#include "broker_batches_test_util.h"
#include "common/crc32c.h"

namespace sluice::broker {
namespace {

using testing::plain_batch;

// Rewrites the count fields and the CRC, so only the content checks can object.
void set_counts(Bytes& batch, int32_t last_offset_delta, int32_t record_count) {
  store_be32(batch.data() + 23, uint32_t(last_offset_delta));
  store_be32(batch.data() + 57, uint32_t(record_count));
  store_be32(batch.data() + kCrcOffset,
             crc32c(batch.data() + kCrcCoveredFrom, batch.size() - kCrcCoveredFrom));
}

void reseal_length(Bytes& batch) {
  store_be32(batch.data() + 8, uint32_t(batch.size() - kBatchLogOverhead));
  store_be32(batch.data() + kCrcOffset,
             crc32c(batch.data() + kCrcCoveredFrom, batch.size() - kCrcCoveredFrom));
}

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ClientBatchChecks, WellFormedBatchesPass) {
  EXPECT_TRUE(check_client_batch(plain_batch(1)).ok);
  EXPECT_TRUE(check_client_batch(plain_batch(7)).ok);
  std::vector<RecordInput> records = {{1, "k", "v", {{"h", "x"}}}, {2, std::nullopt, "w", {}}};
  for (Codec codec : {Codec::kNone, Codec::kGzip, Codec::kLz4, Codec::kZstd, Codec::kSnappy}) {
    BatchCheck check = check_client_batch(build_batch(0, records, codec));
    EXPECT_TRUE(check.ok) << int(codec) << ": " << check.reason;
  }
}

TEST(ClientBatchChecks, ACountOfIntMaxHoldingOneRecordIsRefused) {
  Bytes b = plain_batch(1);
  set_counts(b, 0, INT32_MAX);
  ASSERT_TRUE(validate_batch(b).ok) << "the CRC still matches: only the content lies";
  BatchCheck check = check_client_batch(b);
  EXPECT_FALSE(check.ok);
  EXPECT_TRUE(mentions(check.reason, "2147483647")) << check.reason;
}

TEST(ClientBatchChecks, ACountMatchingTheOffsetsButNotTheRecordsIsRefused) {
  Bytes b = plain_batch(1);
  set_counts(b, INT32_MAX - 1, INT32_MAX);  // consistent header, one record inside
  BatchCheck check = check_client_batch(b);
  EXPECT_FALSE(check.ok);
  EXPECT_TRUE(mentions(check.reason, "unreadable")) << check.reason;
}

TEST(ClientBatchChecks, ZeroRecordsAreRefused) {
  Bytes b = plain_batch(1);
  set_counts(b, -1, 0);
  EXPECT_FALSE(check_client_batch(b).ok);
  Bytes empty = build_batch(0, {});
  EXPECT_FALSE(check_client_batch(empty).ok);
}

TEST(ClientBatchChecks, RecordsBeyondTheDeclaredCountAreRefused) {
  Bytes b = plain_batch(3);
  set_counts(b, 1, 2);  // three records inside, two declared
  BatchCheck check = check_client_batch(b);
  EXPECT_FALSE(check.ok);
  EXPECT_TRUE(mentions(check.reason, "remain after")) << check.reason;
}

TEST(ClientBatchChecks, RecordsOverrunningTheBatchLengthAreRefused) {
  Bytes b = plain_batch(2);
  b.resize(b.size() - 2);  // the last record now claims bytes past the batch
  reseal_length(b);
  ASSERT_TRUE(validate_batch(b).ok);
  EXPECT_FALSE(check_client_batch(b).ok);
}

TEST(ClientBatchChecks, BytesInsideARecordPastItsFieldsAreRefused) {
  Bytes b = plain_batch(1);
  // The record's length varint is the first body byte: claim one byte more and add it.
  uint8_t& len = b[kBatchHeaderSize];
  len = uint8_t(len + 2);  // zigzag: +2 is one more byte
  b.push_back(0);
  reseal_length(b);
  BatchCheck check = check_client_batch(b);
  EXPECT_FALSE(check.ok);
  EXPECT_TRUE(mentions(check.reason, "fields end")) << check.reason;
}

TEST(ClientBatchChecks, AnIdempotentBatchNeedsASequence) {
  Bytes b = testing::idempotent_batch(1000, 0, -1, 1);
  EXPECT_FALSE(check_client_batch(b).ok);
  EXPECT_TRUE(check_client_batch(testing::idempotent_batch(1000, 0, 0, 1)).ok);
}

TEST(ClientBatchChecks, IncomingBatchesAnswerInvalidRecordForALyingCount) {
  Bytes set = plain_batch(2);
  Bytes lying = plain_batch(1);
  set_counts(lying, 0, INT32_MAX);
  set.insert(set.end(), lying.begin(), lying.end());
  auto in = prepare_incoming_batches(set, LogConfig{});
  EXPECT_EQ(in.rejection, IncomingRejection::kInvalidRecord);
  EXPECT_TRUE(in.batches.empty()) << "a partition's batches are accepted all or none";
}

}  // namespace
}  // namespace sluice::broker
