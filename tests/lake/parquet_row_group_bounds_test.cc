// FileReader::bounds and read_row_group: the per-row-group statistics the query
// API (src/serve) prunes with, and decoding one row group alone.
#include <gtest/gtest.h>

#include <cstring>

#include "lake/parquet/file_reader.h"
#include "lake/parquet/file_writer.h"

namespace sluice::lake::parquet {
namespace {

int64_t as_int64(const std::optional<std::string>& bytes) {
  EXPECT_TRUE(bytes && bytes->size() == 8);
  int64_t v = 0;
  if (bytes && bytes->size() == 8) std::memcpy(&v, bytes->data(), 8);
  return v;
}

TEST(RowGroupBounds, EachGroupsBoundsAreItsMinAndMaxAndGroupsReadAloneMakeTheFile) {
  WriterOptions options;
  options.row_group_bytes = 300;
  options.page_bytes = 100;
  FileWriter writer({Field::leaf("ts", Type::kTimestampMicros, false),
                     Field::leaf("symbol", Type::kString, true)},
                    options);
  std::vector<Row> rows;
  for (int i = 0; i < 200; ++i) {
    // Symbols in groups of 50 rows, so some row groups hold one symbol only.
    rows.push_back(
        {Value(int64_t(1'000'000 + i * 10)), Value(std::string(1, char('A' + i / 50)) + "XX")});
    writer.add_row(rows.back());
  }
  FileReader reader(writer.finish());
  ASSERT_GT(reader.num_row_groups(), 2);
  std::vector<Row> all;
  for (int64_t g = 0; g < reader.num_row_groups(); ++g) {
    const size_t first = all.size();
    reader.read_row_group(g, all);
    ASSERT_GT(all.size(), first);
    const auto ts = reader.bounds(g, "ts");
    EXPECT_EQ(as_int64(ts.min), std::get<int64_t>(all[first][0].v));
    EXPECT_EQ(as_int64(ts.max), std::get<int64_t>(all.back()[0].v));
    const auto sym = reader.bounds(g, "symbol");
    EXPECT_EQ(sym.min, std::get<std::string>(all[first][1].v));
    EXPECT_EQ(sym.max, std::get<std::string>(all.back()[1].v));
  }
  // Group by group gives the rows read_all gives, which are the rows written.
  const auto whole = reader.read_all();
  ASSERT_EQ(all.size(), rows.size());
  ASSERT_EQ(whole.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto key = [](const Row& r) {
      return std::pair(std::get<int64_t>(r[0].v), std::get<std::string>(r[1].v));
    };
    EXPECT_EQ(key(all[i]), key(rows[i])) << "row " << i;
    EXPECT_EQ(key(whole[i]), key(rows[i])) << "row " << i;
  }
  const auto none = reader.bounds(0, "no_such_column");
  EXPECT_FALSE(none.min || none.max);
}

}  // namespace
}  // namespace sluice::lake::parquet
