// What storage accepts from a Produce request: complete, checked magic-2
// batches, all of a partition's or none; legacy message sets converted once.
#include "broker/storage/incoming_batches.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "broker_batches_test_util.h"

namespace sluice::broker {
namespace {

using testing::plain_batch;
using testing::stamp_header;

Bytes concat(const Bytes& a, const Bytes& b) {
  Bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// One magic-0 message (offset, size, crc, magic, attributes, null key, value).
Bytes legacy_message(const std::string& value) {
  Bytes body = {0, 0, 0xff, 0xff, 0xff, 0xff};  // magic 0, attributes 0, key length -1
  Bytes len(4);
  store_be32(len.data(), uint32_t(value.size()));
  body.insert(body.end(), len.begin(), len.end());
  body.insert(body.end(), value.begin(), value.end());
  Bytes msg(16);
  store_be64(msg.data(), 0);
  store_be32(msg.data() + 8, uint32_t(4 + body.size()));
  store_be32(msg.data() + 12, uint32_t(::crc32(0, body.data(), uInt(body.size()))));
  msg.insert(msg.end(), body.begin(), body.end());
  return msg;
}

TEST(IncomingBatches, SplitsARecordSetIntoItsBatches) {
  Bytes set = concat(plain_batch(2), plain_batch(3));
  auto in = prepare_incoming_batches(set, LogConfig{});
  ASSERT_TRUE(in.ok()) << in.reason;
  ASSERT_EQ(in.batches.size(), 2u);
  EXPECT_EQ(parse_batch_header(in.batches[0])->record_count, 2);
  EXPECT_EQ(parse_batch_header(in.batches[1])->record_count, 3);
}

TEST(IncomingBatches, ALegacyMessageSetBecomesOneMagicTwoBatch) {
  Bytes set = concat(legacy_message("a"), legacy_message("bc"));
  auto in = prepare_incoming_batches(set, LogConfig{});
  ASSERT_TRUE(in.ok()) << in.reason;
  ASSERT_EQ(in.batches.size(), 1u);
  auto h = parse_batch_header(in.batches[0]);
  EXPECT_EQ(h->magic, 2);
  EXPECT_EQ(h->record_count, 2);
  EXPECT_TRUE(validate_batch(in.batches[0]).ok);
}

TEST(IncomingBatches, ABadLegacyCrcIsCorrupt) {
  Bytes msg = legacy_message("a");
  msg.back() ^= 1;
  auto in = prepare_incoming_batches(msg, LogConfig{});
  EXPECT_EQ(in.rejection, IncomingRejection::kCorrupt);
  EXPECT_TRUE(in.batches.empty());
}

TEST(IncomingBatches, OneBadBatchRejectsTheWholeSet) {
  Bytes bad = plain_batch(1);
  bad.back() ^= 1;  // CRC no longer matches
  Bytes set = concat(plain_batch(2), bad);
  auto in = prepare_incoming_batches(set, LogConfig{});
  EXPECT_EQ(in.rejection, IncomingRejection::kCorrupt);
  EXPECT_NE(in.reason.find("CRC"), std::string::npos) << in.reason;
  EXPECT_TRUE(in.batches.empty());
}

TEST(IncomingBatches, ASetEndingInsideABatchIsCorrupt) {
  Bytes set = plain_batch(2);
  set.resize(set.size() - 3);
  auto in = prepare_incoming_batches(set, LogConfig{});
  EXPECT_EQ(in.rejection, IncomingRejection::kCorrupt);
  EXPECT_NE(in.reason.find("truncated"), std::string::npos) << in.reason;
}

TEST(IncomingBatches, AnEmptySetIsCorrupt) {
  Bytes empty;
  EXPECT_EQ(prepare_incoming_batches(empty, LogConfig{}).rejection, IncomingRejection::kCorrupt);
}

TEST(IncomingBatches, ABatchAboveMaxMessageBytesIsTooLarge) {
  LogConfig config;
  Bytes set = plain_batch(50);
  config.max_message_bytes = int64_t(set.size()) - 1;
  auto in = prepare_incoming_batches(set, config);
  EXPECT_EQ(in.rejection, IncomingRejection::kTooLarge);
  EXPECT_NE(in.reason.find("max.message.bytes"), std::string::npos) << in.reason;
}

TEST(IncomingBatches, ControlBatchesAreNeverProducedButTransactionalOnesAre) {
  // Only the transaction coordinator writes markers; whether a transactional
  // batch may be written is the coordinator's question (transactional_produce.h).
  for (int16_t attributes : {int16_t(0x20), int16_t(0x30)}) {
    Bytes b = plain_batch(1);
    stamp_header(b, 5, 0, 0, attributes);
    EXPECT_EQ(prepare_incoming_batches(b, LogConfig{}).rejection, IncomingRejection::kUnsupported)
        << "attributes " << attributes;
  }
  Bytes b = plain_batch(1);
  stamp_header(b, 5, 0, 0, 0x10);
  EXPECT_TRUE(prepare_incoming_batches(b, LogConfig{}).ok());
}

}  // namespace
}  // namespace sluice::broker

namespace sluice::broker {
namespace {

TEST(IncomingBatches, CreateTimesOutsideTheTopicsBoundsAreInvalidTimestamps) {
  LogConfig config;
  config.timestamp_before_max_ms = 60'000;
  config.timestamp_after_max_ms = 1'000;
  Bytes set = testing::plain_batch(3);  // timestamps 1000, 1001, 1002
  EXPECT_TRUE(prepare_incoming_batches(set, config, 30'000).ok()) << "within a minute behind";
  auto too_old = prepare_incoming_batches(set, config, 70'000);
  EXPECT_EQ(too_old.rejection, IncomingRejection::kInvalidTimestamp);
  EXPECT_NE(too_old.reason.find("message.timestamp.before.max.ms (60000 ms)"), std::string::npos)
      << too_old.reason;
  auto too_new = prepare_incoming_batches(set, config, 0);
  EXPECT_EQ(too_new.rejection, IncomingRejection::kInvalidTimestamp);
  EXPECT_NE(too_new.reason.find("timestamp 1001 of the record at offset delta 1"),
            std::string::npos)
      << "1000 is exactly a second ahead, which is allowed; 1001 is not: " << too_new.reason;
  EXPECT_TRUE(prepare_incoming_batches(set, LogConfig{}, 9'000'000'000'000).ok())
      << "no bounds by default";
  config.timestamp_type = TimestampType::kLogAppendTime;
  EXPECT_TRUE(prepare_incoming_batches(set, config, 70'000).ok())
      << "LogAppendTime replaces the producer's time, so it is not checked";
}

}  // namespace
}  // namespace sluice::broker

namespace sluice::broker {
namespace {

TEST(IncomingBatches, ANamedCompressionTypeRecompressesEveryRecordUnchanged) {
  Bytes set = testing::plain_batch(20);
  std::vector<std::string> before;
  for_each_record(set, [&](const RecordView& r) {
    before.push_back(std::to_string(r.timestamp) + std::string(*r.value));
    return true;
  });
  for (const char* type : {"zstd", "gzip", "lz4", "snappy"}) {
    LogConfig config;
    config.compression_type = type;
    auto in = prepare_incoming_batches(set, config);
    ASSERT_TRUE(in.ok()) << in.reason;
    ASSERT_EQ(in.batches.size(), 1u);
    EXPECT_STREQ(codec_name(parse_batch_header(in.batches[0])->codec()), type);
    EXPECT_TRUE(validate_batch(in.batches[0]).ok) << type;
    std::vector<std::string> after;
    for_each_record(in.batches[0], [&](const RecordView& r) {
      after.push_back(std::to_string(r.timestamp) + std::string(*r.value));
      return true;
    });
    EXPECT_EQ(after, before) << type;
    // And back: a topic that stores uncompressed undoes the producer's codec.
    Bytes compressed(in.batches[0].begin(), in.batches[0].end());
    config.compression_type = "uncompressed";
    auto plain = prepare_incoming_batches(compressed, config);
    ASSERT_TRUE(plain.ok()) << plain.reason;
    EXPECT_EQ(parse_batch_header(plain.batches[0])->codec(), Codec::kNone);
  }
  auto kept = prepare_incoming_batches(set, LogConfig{});
  EXPECT_TRUE(kept.recompressed.empty()) << "`producer` keeps the batch as sent";
}

}  // namespace
}  // namespace sluice::broker
