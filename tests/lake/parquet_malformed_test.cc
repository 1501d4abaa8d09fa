// Malformed input: the reader (rows and typed columns) must throw ParquetError,
// never crash or read outside the file (run under ASan/UBSan): truncation at
// every length, bad magic, lying footer lengths, and deterministic byte mutations.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "parquet_test_util.h"

namespace sluice::lake::parquet {
namespace {

std::string sample_file(Codec codec) {
  std::vector<Field> schema = {
      Field::leaf("id", Type::kInt64, false), Field::leaf("s", Type::kString),
      Field::list("l", Field::leaf("x", Type::kInt32)),
      Field::map("m", Field::leaf("k", Type::kString), Field::leaf("v", Type::kDouble)),
      Field::structure("st", {Field::leaf("b", Type::kBoolean), Field::leaf("d", Type::kDate)})};
  std::vector<Row> rows;
  for (int i = 0; i < 40; ++i) {
    rows.push_back({int64_t(i), i % 3 ? Value("s" + std::to_string(i % 4)) : Value(),
                    ValueList{int32_t(i), Value(), int32_t(-i)},
                    ValueMap{{std::string("k"), double(i)}},
                    i % 5 ? Value(ValueList{i % 2 == 0, int32_t(i)}) : Value()});
  }
  WriterOptions o;
  o.codec = codec;
  o.page_bytes = 64;
  o.row_group_bytes = 600;
  return testing::write_file(schema, rows, o);
}

// Either reads or throws ParquetError; anything else fails the test. Both
// decoders: rows, and each top-level column as typed arrays (typed_column.h).
void read_or_reject(const std::string& bytes) {
  try {
    FileReader r(bytes);
    r.read_all();
  } catch (const ParquetError&) {
  }
  try {
    FileReader r(bytes);
    for (int64_t g = 0; g < r.num_row_groups(); ++g) {
      for (const Field& f : r.schema()) {
        const auto column = r.read_typed_column(g, f.name);
        if (!column) continue;
        for (size_t row = 0; row < column->rows(); ++row) (void)column->value(row);
        (void)column->rows_equal("s1", nullptr);
        (void)column->rows_in_range(3, 30, nullptr);
      }
    }
  } catch (const ParquetError&) {
  }
}

TEST(ParquetMalformed, BadMagicAndTinyFiles) {
  std::string f = sample_file(Codec::kSnappy);
  EXPECT_THROW(FileReader(""), ParquetError);
  EXPECT_THROW(FileReader("PAR1PAR1"), ParquetError);
  EXPECT_THROW(FileReader(std::string("PAR1\0\0\0\0PAR1", 12)), ParquetError);
  std::string bad = f;
  bad[0] = 'X';
  EXPECT_THROW(FileReader{bad}, ParquetError);
  bad = f;
  bad[bad.size() - 1] = 'X';
  EXPECT_THROW(FileReader{bad}, ParquetError);
}

TEST(ParquetMalformed, CorruptFooterLengths) {
  const std::string f = sample_file(Codec::kZstd);
  for (uint32_t len : {0u, 1u, 7u, uint32_t(f.size() - 12), uint32_t(f.size() - 8),
                       uint32_t(f.size()), 0xFFFFFFFFu}) {
    std::string bad = f;
    std::memcpy(bad.data() + bad.size() - 8, &len, 4);
    EXPECT_THROW(FileReader(bad).read_all(), ParquetError) << len;
  }
}

TEST(ParquetMalformed, EveryTruncationIsRejected) {
  for (Codec c : {Codec::kUncompressed, Codec::kSnappy, Codec::kZstd}) {
    const std::string f = sample_file(c);
    for (size_t n = 0; n < f.size(); ++n) {
      EXPECT_THROW(FileReader(f.substr(0, n)).read_all(), ParquetError) << n;
    }
    // Truncated body, intact trailer: offsets now point past the data.
    for (size_t cut = 1; cut < f.size() - 12; cut += 7) {
      std::string bad = f.substr(0, 4) + f.substr(4 + cut);
      read_or_reject(bad);
    }
  }
}

TEST(ParquetMalformed, ByteMutationsNeverCrash) {
  std::mt19937 rng(12345);
  for (Codec c : {Codec::kUncompressed, Codec::kSnappy}) {
    const std::string f = sample_file(c);
    for (size_t pos = 0; pos < f.size(); ++pos) {
      for (uint8_t x : {uint8_t(0x01), uint8_t(0x80), uint8_t(0xFF)}) {
        std::string bad = f;
        bad[pos] = char(uint8_t(bad[pos]) ^ x);
        read_or_reject(bad);
      }
    }
    for (int trial = 0; trial < 3000; ++trial) {
      std::string bad = f;
      for (int k = 0; k < 4; ++k) bad[rng() % bad.size()] = char(rng());
      read_or_reject(bad);
    }
  }
}

}  // namespace
}  // namespace sluice::lake::parquet
