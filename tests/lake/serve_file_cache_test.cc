// FileCache (src/serve/file_cache.h): readers come back by path, the total
// stays within the byte budget, and the least recently used file leaves first.
#include <gtest/gtest.h>

#include "lake/parquet/file_writer.h"
#include "serve/file_cache.h"

namespace sluice::serve {
namespace {

using lake::parquet::Field;
using lake::parquet::FileReader;
using lake::parquet::FileWriter;
using lake::parquet::Type;

std::shared_ptr<const FileReader> a_reader(int64_t value) {
  FileWriter w({Field::leaf("x", Type::kInt64)});
  w.add_row({value});
  return std::make_shared<const FileReader>(w.finish());
}

TEST(FileCache, GivesBackTheReaderKeptUnderAPath) {
  FileCache cache(1000);
  const auto a = a_reader(1);
  cache.insert("day=1/a.parquet", a, 100);
  EXPECT_EQ(cache.find("day=1/a.parquet"), a);
  EXPECT_EQ(cache.find("day=1/b.parquet"), nullptr);
  // A second insert under the same path (two requests read a new file) keeps the first.
  cache.insert("day=1/a.parquet", a_reader(2), 100);
  EXPECT_EQ(cache.find("day=1/a.parquet"), a);
  EXPECT_EQ(cache.bytes(), 100);
  EXPECT_EQ(cache.files(), 1u);
}

TEST(FileCache, EvictsTheLeastRecentlyUsedToStayWithinItsBytes) {
  FileCache cache(250);
  cache.insert("a", a_reader(1), 100);
  cache.insert("b", a_reader(2), 100);
  ASSERT_NE(cache.find("a"), nullptr);  // now b is the least recently used
  cache.insert("c", a_reader(3), 100);
  EXPECT_NE(cache.find("a"), nullptr);
  EXPECT_EQ(cache.find("b"), nullptr);
  EXPECT_NE(cache.find("c"), nullptr);
  EXPECT_EQ(cache.bytes(), 200);
  cache.insert("big", a_reader(4), 250);  // fits only alone
  EXPECT_EQ(cache.files(), 1u);
  EXPECT_NE(cache.find("big"), nullptr);
  EXPECT_EQ(cache.bytes(), 250);
}

TEST(FileCache, KeepsNoFileLargerThanItsBudget) {
  FileCache cache(100);
  cache.insert("a", a_reader(1), 60);
  cache.insert("huge", a_reader(2), 101);
  EXPECT_EQ(cache.find("huge"), nullptr);
  EXPECT_NE(cache.find("a"), nullptr);  // and evicts nothing for it
  FileCache none(0);
  none.insert("a", a_reader(1), 1);
  EXPECT_EQ(none.find("a"), nullptr);
  EXPECT_EQ(none.bytes(), 0);
}

}  // namespace
}  // namespace sluice::serve
