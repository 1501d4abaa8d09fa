// CRC-32C against published check values and a bit-at-a-time reference.
//
// crc32c() picks the SSE4.2 or the table path at run time; comparing it with
// the reference over many lengths and alignments checks whichever path this
// machine takes, including the byte-wise tails either path has.
#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

namespace sluice {
namespace {

uint32_t reference_crc32c(const uint8_t* p, size_t n) {
  uint32_t crc = 0xffffffffu;
  for (size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1)));
  }
  return ~crc;
}

std::vector<uint8_t> random_bytes(size_t n, std::mt19937& rng) {
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = uint8_t(rng());
  return out;
}

TEST(Crc32c, CheckValueOfDigitsIsE3069283) {
  std::string_view digits = "123456789";
  EXPECT_EQ(crc32c(digits.data(), digits.size()), 0xE3069283u);
}

TEST(Crc32c, ThirtyTwoZeroBytesGive8A9136AA) {
  uint8_t zeros[32] = {};
  EXPECT_EQ(crc32c(zeros, sizeof(zeros)), 0x8A9136AAu);
}

TEST(Crc32c, ThirtyTwoOnesBytesGive62A8AB43) {
  std::vector<uint8_t> ones(32, 0xff);
  EXPECT_EQ(crc32c(ones.data(), ones.size()), 0x62A8AB43u);
}

TEST(Crc32c, EmptyInputLeavesTheCrcUnchanged) {
  EXPECT_EQ(crc32c(nullptr, 0), 0u);
  EXPECT_EQ(crc32c(nullptr, 0, 0xE3069283u), 0xE3069283u);
}

TEST(Crc32c, ExtendingIncrementallyEqualsOneShot) {
  std::mt19937 rng(42);
  std::vector<uint8_t> data = random_bytes(4096, rng);
  uint32_t whole = crc32c(data.data(), data.size());
  for (size_t split : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{1000},
                       data.size() - 1, data.size()}) {
    uint32_t first = crc32c(data.data(), split);
    EXPECT_EQ(crc32c(data.data() + split, data.size() - split, first), whole) << "split " << split;
  }
}

TEST(Crc32c, ExtendingByteByByteEqualsOneShot) {
  std::string_view digits = "123456789";
  uint32_t crc = 0;
  for (char c : digits) crc = crc32c(&c, 1, crc);
  EXPECT_EQ(crc, 0xE3069283u);
}

TEST(Crc32c, MatchesBitwiseReferenceOnRandomLengthsAndAlignments) {
  std::mt19937 rng(7);
  std::vector<uint8_t> data = random_bytes(1000 + 8, rng);
  for (size_t len = 0; len <= 1000; ++len) {
    size_t offset = rng() % 8;  // misaligned starts exercise the unaligned loads
    ASSERT_EQ(crc32c(data.data() + offset, len), reference_crc32c(data.data() + offset, len))
        << "length " << len << " offset " << offset;
  }
}

TEST(Crc32c, DiffersWhenAnySingleBitFlips) {
  std::mt19937 rng(3);
  std::vector<uint8_t> data = random_bytes(64, rng);
  uint32_t original = crc32c(data.data(), data.size());
  for (size_t bit = 0; bit < data.size() * 8; ++bit) {
    data[bit / 8] ^= uint8_t(1u << (bit % 8));
    EXPECT_NE(crc32c(data.data(), data.size()), original) << "bit " << bit;
    data[bit / 8] ^= uint8_t(1u << (bit % 8));
  }
}

}  // namespace
}  // namespace sluice
