// Magic-2 record batches: what validate_batch accepts and rejects, that
// assigning an offset never breaks the checksum, and that for_each_record
// gives back exactly what build_batch was given, for every codec, while
// turning any malformed payload into DecodeError.
#include "broker/storage/record_batch.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <string>
#include <vector>

#include "common/crc32c.h"

namespace sluice::broker {
namespace {

// Owned copy of a RecordView, whose views die with the for_each_record call.
struct Record {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

std::optional<std::string> own(std::optional<std::string_view> s) {
  return s ? std::optional<std::string>(*s) : std::nullopt;
}

std::vector<Record> read_all(ByteSpan batch) {
  std::vector<Record> out;
  for_each_record(batch, [&](const RecordView& r) {
    Record rec{r.offset, r.timestamp, own(r.key), own(r.value), {}};
    for (const RecordHeader& h : r.headers) rec.headers.emplace_back(h.key, own(h.value));
    out.push_back(std::move(rec));
    return true;
  });
  return out;
}

// Covers keys and null keys, values, null values (tombstones) and empty
// values, headers, and a timestamp earlier than the first (negative delta).
std::vector<RecordInput> sample_records() {
  return {
      {1000, "user-1", "signed up", {{"trace", "abc"}, {"source", "web"}}},
      {1005, std::nullopt, "no key", {}},
      {999, "user-1", std::nullopt, {{"reason", ""}}},
      {1003, "user-2", "", {}},
  };
}

// Replaces everything after the header and fixes the length and CRC, so the
// batch passes validation and only its payload is wrong.
Bytes reseal(const Bytes& batch, ByteSpan payload) {
  Bytes out(kBatchHeaderSize + payload.size());
  std::copy(batch.begin(), batch.begin() + kBatchHeaderSize, out.begin());
  std::copy(payload.begin(), payload.end(), out.begin() + kBatchHeaderSize);
  store_be32(out.data() + 8, uint32_t(out.size() - kBatchLogOverhead));
  store_be32(out.data() + kCrcOffset,
             crc32c(out.data() + kCrcCoveredFrom, out.size() - kCrcCoveredFrom));
  return out;
}

ByteSpan payload_of(const Bytes& batch) {
  return ByteSpan(batch).subspan(kBatchHeaderSize);
}

Bytes random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes out(n);
  for (auto& b : out) b = uint8_t(rng());
  return out;
}

bool mentions(const std::string& text, const std::string& word) {
  return text.find(word) != std::string::npos;
}

TEST(RecordBatch, BuiltBatchPassesValidation) {
  Bytes batch = build_batch(0, sample_records());
  BatchCheck check = validate_batch(batch);
  EXPECT_TRUE(check.ok) << check.reason;
}

TEST(RecordBatch, HeaderDescribesTheRecords) {
  Bytes batch = build_batch(42, sample_records(), Codec::kZstd);
  auto h = parse_batch_header(batch);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->base_offset, 42);
  EXPECT_EQ(h->magic, 2);
  EXPECT_EQ(h->record_count, 4);
  EXPECT_EQ(h->last_offset_delta, 3);
  EXPECT_EQ(h->last_offset(), 45);
  EXPECT_EQ(h->first_timestamp, 1000);
  EXPECT_EQ(h->max_timestamp, 1005);
  EXPECT_EQ(h->producer_id, -1);
  EXPECT_EQ(h->codec(), Codec::kZstd);
  EXPECT_FALSE(h->is_transactional());
  EXPECT_FALSE(h->is_control());
  EXPECT_EQ(h->total_size(), batch.size());
}

TEST(RecordBatch, HeaderOfATornTailIsNotParsed) {
  Bytes batch = build_batch(0, sample_records());
  EXPECT_FALSE(parse_batch_header(ByteSpan(batch).first(kBatchHeaderSize - 1)));
  EXPECT_TRUE(parse_batch_header(ByteSpan(batch).first(kBatchHeaderSize)));
}

TEST(RecordBatch, FlippingAnyCrcCoveredByteFailsValidationNamingTheCrc) {
  const Bytes batch = build_batch(0, sample_records());
  for (size_t i = kCrcCoveredFrom; i < batch.size(); ++i) {
    Bytes damaged = batch;
    damaged[i] ^= 0xff;
    BatchCheck check = validate_batch(damaged);
    EXPECT_FALSE(check.ok) << "byte " << i;
    EXPECT_TRUE(mentions(check.reason, "CRC")) << "byte " << i << ": " << check.reason;
  }
}

TEST(RecordBatch, SingleBitFlipsInTheCrcFieldFailValidation) {
  const Bytes batch = build_batch(0, sample_records());
  for (int bit = 0; bit < 32; ++bit) {
    Bytes damaged = batch;
    damaged[kCrcOffset + size_t(bit / 8)] ^= uint8_t(1 << (bit % 8));
    BatchCheck check = validate_batch(damaged);
    EXPECT_FALSE(check.ok) << "bit " << bit;
    EXPECT_TRUE(mentions(check.reason, "CRC")) << check.reason;
  }
}

TEST(RecordBatch, BaseOffsetAndLeaderEpochAreOutsideTheCrc) {
  Bytes batch = build_batch(0, sample_records());
  store_be64(batch.data(), 0x0102030405060708);
  store_be32(batch.data() + 12, 99);
  BatchCheck check = validate_batch(batch);
  EXPECT_TRUE(check.ok) << check.reason;
}

TEST(RecordBatch, LengthFieldThatDisagreesWithTheBufferIsRejected) {
  const Bytes batch = build_batch(0, sample_records());
  const int32_t length = int32_t(batch.size() - kBatchLogOverhead);
  for (int32_t wrong :
       {length + 1, length - 1, 0, int32_t(kBatchHeaderSize - kBatchLogOverhead - 1), -1, INT32_MIN,
        INT32_MAX}) {
    Bytes damaged = batch;
    store_be32(damaged.data() + 8, uint32_t(wrong));
    BatchCheck check = validate_batch(damaged);
    EXPECT_FALSE(check.ok) << "length field " << wrong;
    EXPECT_TRUE(mentions(check.reason, "length")) << check.reason;
  }
}

TEST(RecordBatch, BufferLongerOrShorterThanTheLengthFieldIsRejected) {
  Bytes batch = build_batch(0, sample_records());
  Bytes longer = batch;
  longer.push_back(0);
  EXPECT_FALSE(validate_batch(longer).ok);
  EXPECT_FALSE(validate_batch(ByteSpan(batch).first(batch.size() - 1)).ok);
}

TEST(RecordBatch, BufferShorterThanTheHeaderIsRejected) {
  Bytes batch = build_batch(0, sample_records());
  for (size_t n : {size_t{0}, size_t{1}, kBatchHeaderSize - 1}) {
    BatchCheck check = validate_batch(ByteSpan(batch).first(n));
    EXPECT_FALSE(check.ok) << n << " bytes";
    EXPECT_TRUE(mentions(check.reason, "header")) << check.reason;
  }
}

TEST(RecordBatch, MagicOtherThanTwoIsRejected) {
  const Bytes batch = build_batch(0, sample_records());
  for (int magic : {0, 1, 3, -1}) {
    Bytes other = batch;
    other[kMagicOffset] = uint8_t(magic);
    BatchCheck check = validate_batch(other);
    EXPECT_FALSE(check.ok) << "magic " << magic;
    EXPECT_TRUE(mentions(check.reason, "magic " + std::to_string(magic))) << check.reason;
  }
}

TEST(RecordBatch, NegativeRecordCountWithAValidCrcIsRejected) {
  Bytes batch = build_batch(0, sample_records());
  store_be32(batch.data() + 57, uint32_t(-5));
  Bytes resealed = reseal(batch, payload_of(batch));
  BatchCheck check = validate_batch(resealed);
  EXPECT_FALSE(check.ok);
  EXPECT_TRUE(mentions(check.reason, "record count")) << check.reason;
}

TEST(RecordBatch, AssignBaseOffsetKeepsTheCrcValidAndShiftsEveryOffset) {
  Bytes batch = build_batch(0, sample_records(), Codec::kLz4);
  store_be32(batch.data() + 12, 7);  // some leader epoch
  assign_base_offset(batch.data(), 1'000'000);
  BatchCheck check = validate_batch(batch);
  EXPECT_TRUE(check.ok) << check.reason;
  auto h = parse_batch_header(batch);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->base_offset, 1'000'000);
  EXPECT_EQ(h->leader_epoch, 0);
  std::vector<Record> records = read_all(batch);
  ASSERT_EQ(records.size(), 4u);
  for (size_t i = 0; i < records.size(); ++i) EXPECT_EQ(records[i].offset, 1'000'000 + int64_t(i));
}

TEST(RecordBatch, ReturningFalseStopsIteration) {
  Bytes batch = build_batch(0, sample_records());
  int calls = 0;
  for_each_record(batch, [&](const RecordView&) { return ++calls < 2; });
  EXPECT_EQ(calls, 2);
}

TEST(RecordBatch, EmptyRecordListBuildsAValidEmptyBatch) {
  Bytes batch = build_batch(5, {});
  EXPECT_TRUE(validate_batch(batch).ok) << validate_batch(batch).reason;
  EXPECT_TRUE(read_all(batch).empty());
}

TEST(RecordBatch, ForEachRecordOnLessThanAHeaderThrowsDecodeError) {
  Bytes batch = build_batch(0, sample_records());
  EXPECT_THROW(read_all(ByteSpan(batch).first(kBatchHeaderSize - 1)), DecodeError);
}

TEST(RecordBatch, RecordCountBeyondTheRecordsPresentThrowsDecodeError) {
  Bytes batch = build_batch(0, sample_records());
  store_be32(batch.data() + 57, 5);
  EXPECT_THROW(read_all(batch), DecodeError);
}

TEST(RecordBatch, GarbageUncompressedRecordsNeverCrash) {
  Bytes batch = build_batch(0, sample_records());
  for (uint32_t seed = 0; seed < 200; ++seed) {
    Bytes garbage = reseal(batch, random_bytes(200, seed));
    try {
      read_all(garbage);
    } catch (const DecodeError&) {
    }
  }
}

TEST(RecordBatch, RecordLengthPastTheEndThrowsDecodeError) {
  Bytes batch = build_batch(0, sample_records());
  Bytes huge_length = reseal(batch, Bytes{0xfe, 0xff, 0xff, 0xff, 0x0f});  // varint ~2^31
  EXPECT_THROW(read_all(huge_length), DecodeError);
}

TEST(RecordBatch, HugeDeltasWrapLikeJavaLongArithmeticInsteadOfOverflowing) {
  Bytes batch = build_batch(10, {{1000, std::nullopt, std::nullopt, {}}});
  ByteWriter record;
  record.i8(0);                                        // attributes
  record.varint(std::numeric_limits<int64_t>::max());  // timestamp delta
  record.varint(std::numeric_limits<int64_t>::max());  // offset delta
  record.varint(-1);                                   // null key
  record.varint(-1);                                   // null value
  record.varint(0);                                    // no headers
  ByteWriter body;
  body.varint(int64_t(record.size()));
  body.raw(record.buffer().data(), record.size());
  std::vector<Record> records = read_all(reseal(batch, body.buffer()));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].timestamp, std::numeric_limits<int64_t>::min() + 999);
  EXPECT_EQ(records[0].offset, std::numeric_limits<int64_t>::min() + 9);
}

// ---- every codec ------------------------------------------------------------

std::string codec_param_name(const testing::TestParamInfo<Codec>& param) {
  return codec_name(param.param);
}

class RecordBatchCodec : public testing::TestWithParam<Codec> {
 protected:
  Codec codec() const { return GetParam(); }
  Bytes batch() const { return build_batch(100, sample_records(), codec()); }
};

TEST_P(RecordBatchCodec, BuiltBatchPassesValidationAndRecordsItsCodec) {
  Bytes b = batch();
  BatchCheck check = validate_batch(b);
  EXPECT_TRUE(check.ok) << check.reason;
  EXPECT_EQ(parse_batch_header(b)->codec(), codec());
}

TEST_P(RecordBatchCodec, ForEachRecordYieldsTheRecordsBack) {
  std::vector<Record> records = read_all(batch());
  std::vector<RecordInput> in = sample_records();
  ASSERT_EQ(records.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    SCOPED_TRACE("record " + std::to_string(i));
    EXPECT_EQ(records[i].offset, 100 + int64_t(i));
    EXPECT_EQ(records[i].timestamp, in[i].timestamp);
    EXPECT_EQ(records[i].key, in[i].key);
    EXPECT_EQ(records[i].value, in[i].value);
    ASSERT_EQ(records[i].headers.size(), in[i].headers.size());
    for (size_t k = 0; k < in[i].headers.size(); ++k) {
      EXPECT_EQ(records[i].headers[k].first, in[i].headers[k].first);
      EXPECT_EQ(records[i].headers[k].second, in[i].headers[k].second);
    }
  }
}

TEST_P(RecordBatchCodec, NullKeysAndTombstonesStayNullNotEmpty) {
  std::vector<Record> records = read_all(batch());
  ASSERT_EQ(records.size(), 4u);
  EXPECT_FALSE(records[1].key.has_value());
  EXPECT_FALSE(records[2].value.has_value());
  ASSERT_TRUE(records[3].value.has_value());
  EXPECT_EQ(*records[3].value, "");
}

TEST_P(RecordBatchCodec, ManyLargeRecordsRoundTrip) {
  std::vector<RecordInput> in;
  for (int i = 0; i < 500; ++i) {
    in.push_back({int64_t(i),
                  "key-" + std::to_string(i),
                  std::string(1000, char('a' + i % 26)),
                  {{"n", std::to_string(i)}}});
  }
  Bytes b = build_batch(0, in, codec());
  ASSERT_TRUE(validate_batch(b).ok);
  std::vector<Record> out = read_all(b);
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    ASSERT_EQ(out[i].value, in[i].value) << i;
    ASSERT_EQ(out[i].headers.at(0).second, in[i].headers[0].second) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, RecordBatchCodec,
                         testing::Values(Codec::kNone, Codec::kGzip, Codec::kSnappy, Codec::kLz4,
                                         Codec::kZstd),
                         codec_param_name);

class CompressedRecordBatch : public RecordBatchCodec {};

TEST_P(CompressedRecordBatch, TruncatedPayloadThrowsDecodeError) {
  Bytes b = batch();
  ByteSpan payload = payload_of(b);
  for (size_t keep : {size_t{0}, size_t{1}, payload.size() / 2, payload.size() - 1}) {
    Bytes torn = reseal(b, payload.first(keep));
    EXPECT_TRUE(validate_batch(torn).ok) << "the CRC is the producer's, so it cannot help here";
    EXPECT_THROW(read_all(torn), DecodeError) << "kept " << keep << " bytes";
  }
}

TEST_P(CompressedRecordBatch, GarbagePayloadThrowsDecodeError) {
  Bytes b = batch();
  for (uint32_t seed = 0; seed < 20; ++seed) {
    EXPECT_THROW(read_all(reseal(b, random_bytes(300, seed))), DecodeError) << "seed " << seed;
  }
}

TEST_P(CompressedRecordBatch, CorruptedPayloadNeverCrashes) {
  Bytes b = batch();
  Bytes payload(payload_of(b).begin(), payload_of(b).end());
  std::mt19937 rng(11);
  for (int round = 0; round < 300; ++round) {
    Bytes damaged = payload;
    damaged[rng() % damaged.size()] ^= uint8_t(1 + rng() % 255);
    try {
      read_all(reseal(b, damaged));
    } catch (const DecodeError&) {
    }
  }
}

TEST_P(CompressedRecordBatch, ValidCompressionOfGarbageRecordsThrowsDecodeError) {
  Bytes b = batch();
  Bytes inner = {0x7f, 0x01};  // a record claiming 63 bytes, then almost nothing
  EXPECT_THROW(read_all(reseal(b, compress(codec(), inner))), DecodeError);
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CompressedRecordBatch,
                         testing::Values(Codec::kGzip, Codec::kSnappy, Codec::kLz4, Codec::kZstd),
                         codec_param_name);

}  // namespace
}  // namespace sluice::broker
