// U64Set against std::unordered_set: the same answers for any sequence of
// inserts, lookups and erases, including the value 0 (its empty-slot marker)
// and values that all land in one run of slots.
#include "common/u64_set.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_set>

namespace sluice {
namespace {

void expect_same(const U64Set& set, const std::unordered_set<uint64_t>& model,
                 const std::vector<uint64_t>& probes) {
  ASSERT_EQ(set.size(), model.size());
  for (const uint64_t v : probes) ASSERT_EQ(set.contains(v), model.contains(v)) << v;
}

TEST(U64Set, AnswersAsAStandardSetDoesThroughRandomInsertsAndErases) {
  std::mt19937_64 rng(7);
  U64Set set;
  std::unordered_set<uint64_t> model;
  std::vector<uint64_t> values(600);
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = i < 3 ? i : rng();  // 0, 1 and 2 among them
  for (int step = 0; step < 200'000; ++step) {
    const uint64_t v = values[rng() % values.size()];
    if (rng() % 3 == 0) {
      ASSERT_EQ(set.erase(v), model.erase(v) == 1) << "erase " << v << " at step " << step;
    } else {
      ASSERT_EQ(set.insert(v), model.insert(v).second) << "insert " << v << " at step " << step;
    }
    if (step % 997 == 0) expect_same(set, model, values);
  }
  expect_same(set, model, values);
}

TEST(U64Set, ErasingFromTheMiddleOfALongRunKeepsTheRestFindable) {
  // Small consecutive values mix to scattered homes; many of them in a small
  // table make long runs that wrap around its end.
  U64Set set;
  std::unordered_set<uint64_t> model;
  std::vector<uint64_t> values;
  for (uint64_t v = 1; v <= 5000; ++v) values.push_back(v);
  for (const uint64_t v : values) {
    set.insert(v);
    model.insert(v);
  }
  for (uint64_t v = 1; v <= 5000; v += 3) {
    EXPECT_TRUE(set.erase(v));
    model.erase(v);
  }
  expect_same(set, model, values);
  EXPECT_FALSE(set.erase(1)) << "erased twice";
}

TEST(U64Set, HoldsZeroLikeAnyOtherValue) {
  U64Set set;
  EXPECT_FALSE(set.contains(0));
  EXPECT_TRUE(set.insert(0));
  EXPECT_FALSE(set.insert(0));
  EXPECT_TRUE(set.contains(0));
  EXPECT_EQ(set.size(), 1u);
  EXPECT_TRUE(set.erase(0));
  EXPECT_FALSE(set.contains(0));
  EXPECT_EQ(set.size(), 0u);
  set.insert(0);
  set.clear();
  EXPECT_FALSE(set.contains(0));
}

}  // namespace
}  // namespace sluice
