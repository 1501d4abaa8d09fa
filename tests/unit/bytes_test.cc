// ByteReader/ByteWriter: big-endian integers, Kafka's zig-zag varints, and the
// promise that reading past the end throws DecodeError instead of reading on.
#include "common/bytes.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

namespace sluice {
namespace {

Bytes write_varint(int64_t v) {
  ByteWriter w;
  w.varint(v);
  return w.buffer();
}

Bytes write_uvarint(uint64_t v) {
  ByteWriter w;
  w.uvarint(v);
  return w.buffer();
}

TEST(Varint, ZigZagMapsSmallMagnitudesToSmallCodes) {
  EXPECT_EQ(write_varint(0), Bytes({0x00}));
  EXPECT_EQ(write_varint(-1), Bytes({0x01}));
  EXPECT_EQ(write_varint(1), Bytes({0x02}));
  EXPECT_EQ(write_varint(-2), Bytes({0x03}));
  EXPECT_EQ(write_varint(63), Bytes({0x7e}));
  EXPECT_EQ(write_varint(-64), Bytes({0x7f}));
  EXPECT_EQ(write_varint(64), Bytes({0x80, 0x01}));
  EXPECT_EQ(write_varint(300), Bytes({0xd8, 0x04}));
}

TEST(Varint, SignedValuesRoundTripIncludingTheExtremes) {
  const std::vector<int64_t> values = {0,
                                       1,
                                       -1,
                                       63,
                                       -64,
                                       64,
                                       -65,
                                       std::numeric_limits<int32_t>::max(),
                                       std::numeric_limits<int32_t>::min(),
                                       int64_t{1} << 40,
                                       -(int64_t{1} << 40),
                                       std::numeric_limits<int64_t>::max(),
                                       std::numeric_limits<int64_t>::min()};
  for (int64_t v : values) {
    Bytes b = write_varint(v);
    ByteReader r(b);
    EXPECT_EQ(r.varint(), v);
    EXPECT_TRUE(r.empty()) << v << " left bytes unread";
  }
}

TEST(Varint, Int64ExtremesTakeTenBytes) {
  EXPECT_EQ(write_varint(std::numeric_limits<int64_t>::max()).size(), 10u);
  EXPECT_EQ(write_varint(std::numeric_limits<int64_t>::min()).size(), 10u);
}

TEST(Varint, UnsignedValuesRoundTripUpToUint64Max) {
  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, uint64_t{16383}, uint64_t{16384},
                     std::numeric_limits<uint64_t>::max()}) {
    Bytes b = write_uvarint(v);
    ByteReader r(b);
    EXPECT_EQ(r.uvarint(), v);
    EXPECT_TRUE(r.empty());
  }
}

TEST(Varint, SequenceOfMixedValuesReadsBackInOrder) {
  ByteWriter w;
  for (int64_t v = -1000; v <= 1000; v += 7) w.varint(v * 1'000'003);
  ByteReader r(w.buffer());
  for (int64_t v = -1000; v <= 1000; v += 7) ASSERT_EQ(r.varint(), v * 1'000'003);
  EXPECT_TRUE(r.empty());
}

TEST(Varint, MoreThanTenBytesIsRejected) {
  Bytes b(11, 0x80);
  b.push_back(0x00);
  ByteReader r(b);
  EXPECT_THROW(r.uvarint(), DecodeError);
}

TEST(Varint, UnterminatedVarintThrowsDecodeError) {
  Bytes b = {0x80, 0x80};
  ByteReader r(b);
  EXPECT_THROW(r.varint(), DecodeError);
}

TEST(BigEndian, IntegersAreWrittenMostSignificantByteFirst) {
  ByteWriter w;
  w.i16(0x0102);
  w.i32(0x03040506);
  w.i64(0x0708090a0b0c0d0e);
  EXPECT_EQ(w.buffer(), Bytes({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}));
}

TEST(BigEndian, IntegersRoundTripIncludingNegatives) {
  ByteWriter w;
  w.i8(-128);
  w.i16(std::numeric_limits<int16_t>::min());
  w.i32(-2);
  w.i64(std::numeric_limits<int64_t>::min());
  w.u32(0xfffffffe);
  ByteReader r(w.buffer());
  EXPECT_EQ(r.i8(), -128);
  EXPECT_EQ(r.i16(), std::numeric_limits<int16_t>::min());
  EXPECT_EQ(r.i32(), -2);
  EXPECT_EQ(r.i64(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(r.u32(), 0xfffffffeu);
  EXPECT_TRUE(r.empty());
}

TEST(ByteWriter, PatchI32OverwritesALengthPrefixInPlace) {
  Bytes out;
  ByteWriter w(out);
  w.i32(0);
  w.raw(std::string_view("abc"));
  w.patch_i32(0, 3);
  EXPECT_EQ(out, Bytes({0, 0, 0, 3, 'a', 'b', 'c'}));
}

TEST(ByteReader, ReadingPastTheEndThrowsDecodeErrorForEveryType) {
  const Bytes three = {1, 2, 3};
  EXPECT_THROW(ByteReader(ByteSpan(three.data(), 0)).i8(), DecodeError);
  EXPECT_THROW(ByteReader(ByteSpan(three.data(), 1)).i16(), DecodeError);
  EXPECT_THROW(ByteReader(three).i32(), DecodeError);
  EXPECT_THROW(ByteReader(three).u32(), DecodeError);
  EXPECT_THROW(ByteReader(three).i64(), DecodeError);
  EXPECT_THROW(ByteReader(three).span(4), DecodeError);
  EXPECT_THROW(ByteReader(three).view(4), DecodeError);
  EXPECT_THROW(ByteReader(three).skip(4), DecodeError);
  EXPECT_THROW(ByteReader(ByteSpan()).varint(), DecodeError);
}

TEST(ByteReader, HugeLengthsThrowInsteadOfWrapping) {
  const Bytes three = {1, 2, 3};
  ByteReader r(three);
  r.i8();
  EXPECT_THROW(r.span(std::numeric_limits<size_t>::max()), DecodeError);
  EXPECT_THROW(r.view(std::numeric_limits<size_t>::max() - 1), DecodeError);
}

TEST(ByteReader, FailedReadLeavesThePositionUnchanged) {
  const Bytes three = {1, 2, 3};
  ByteReader r(three);
  r.i8();
  EXPECT_THROW(r.i32(), DecodeError);
  EXPECT_EQ(r.position(), 1u);
  EXPECT_EQ(r.i16(), 0x0203);
}

TEST(ByteReader, ErrorMessageNamesWhatWasBeingRead) {
  const Bytes one = {1};
  try {
    ByteReader(one).view(5, "topic name");
    FAIL() << "expected DecodeError";
  } catch (const DecodeError& e) {
    EXPECT_NE(std::string(e.what()).find("topic name"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sluice
