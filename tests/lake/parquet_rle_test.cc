// RLE / bit-packed hybrid: the examples of parquet-format Encodings.md, round
// trips at every bit width, and truncated input.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "lake/parquet/file_writer.h"
#include "lake/parquet/rle.h"

namespace sluice::lake::parquet {
namespace {

std::vector<uint32_t> decode(const std::string& s, int width, size_t n) {
  std::vector<uint32_t> out(n);
  RleDecoder(reinterpret_cast<const uint8_t*>(s.data()), s.size(), width).decode(out.data(), n);
  return out;
}

TEST(ParquetRle, BitWidths) {
  EXPECT_EQ(bit_width_for(0), 1);
  EXPECT_EQ(bit_width_for(1), 1);
  EXPECT_EQ(bit_width_for(2), 2);
  EXPECT_EQ(bit_width_for(7), 3);
  EXPECT_EQ(bit_width_for(8), 4);
  EXPECT_EQ(bit_width_for(0xFFFFFFFF), 32);
}

TEST(ParquetRle, SpecExampleBitPacksZeroToSeven) {
  const std::vector<uint32_t> v = {0, 1, 2, 3, 4, 5, 6, 7};
  std::string out;
  rle_encode(v.data(), v.size(), 3, out);
  // header: 1 group of 8, packed; then the three bytes Encodings.md shows.
  EXPECT_EQ(out, std::string("\x03\x88\xC6\xFA"));
  EXPECT_EQ(decode(out, 3, 8), v);
}

TEST(ParquetRle, RepeatsBecomeRleRuns) {
  const std::vector<uint8_t> v(100, 1);
  std::string out;
  rle_encode(v.data(), v.size(), 1, out);
  EXPECT_EQ(out, std::string("\xC8\x01\x01"));  // varint(100 << 1), value 1
}

TEST(ParquetRle, LevelsCarryLengthPrefix) {
  const std::vector<uint8_t> v(10, 2);
  std::string out;
  encode_levels(v.data(), v.size(), 3, out);
  ASSERT_EQ(out.size(), 4u + 2u);
  EXPECT_EQ(out.substr(0, 4), std::string("\x02\x00\x00\x00", 4));
}

TEST(ParquetRle, RoundTripsAtEveryWidth) {
  std::mt19937 rng(7);
  for (int width = 1; width <= 32; ++width) {
    for (size_t n : {1u, 7u, 8u, 9u, 100u, 1000u}) {
      std::vector<uint32_t> v(n);
      const uint64_t limit = width == 32 ? 0xFFFFFFFFull : (1ull << width) - 1;
      for (size_t i = 0; i < n; ++i) {
        // Mix runs and noise so both run kinds appear.
        v[i] = (i / 13) % 2 ? uint32_t(limit) : uint32_t(rng() & limit);
      }
      std::string out;
      rle_encode(v.data(), n, width, out);
      EXPECT_EQ(decode(out, width, n), v) << "width " << width << " n " << n;
    }
  }
}

TEST(ParquetRle, TruncatedInputThrows) {
  std::vector<uint32_t> v(64);
  for (size_t i = 0; i < v.size(); ++i) v[i] = uint32_t(i * 7 % 31);
  std::string out;
  rle_encode(v.data(), v.size(), 5, out);
  for (size_t n = 0; n < out.size(); ++n) {
    EXPECT_THROW(decode(out.substr(0, n), 5, v.size()), ParquetError) << n;
  }
}

TEST(ParquetRle, OversizedRepeatedValueIsRejected) {
  const std::string run("\x10\x05", 2);  // 8 copies of 5 at width 2
  EXPECT_THROW(decode(run, 2, 8), ParquetError);
}

}  // namespace
}  // namespace sluice::lake::parquet
