// crash_point(): SLUICE_CRASH_AT parsing and hit counting (CrashPlan), and the
// real thing — the process dies by SIGKILL at the planned hit and only there.
//
// The variable is read once, before main(), so the tests that need it set run
// as gtest death tests in the "threadsafe" style: the child re-executes this
// binary, which then reads the variable the parent set just before.
#include "common/crash_point.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sluice {
namespace {

TEST(CrashPlanTest, ANameAloneFiresAtTheFirstHitOnly) {
  CrashPlan plan("table.before_commit");
  EXPECT_EQ(plan.point(), "table.before_commit");
  EXPECT_EQ(plan.nth(), 1);
  EXPECT_FALSE(plan.hit("table.after_commit"));
  EXPECT_TRUE(plan.hit("table.before_commit"));
  EXPECT_FALSE(plan.hit("table.before_commit"));
}

TEST(CrashPlanTest, NameColonNFiresAtTheNthHitOfThatName) {
  CrashPlan plan("store.put.partial:3");
  EXPECT_EQ(plan.nth(), 3);
  std::vector<bool> fired;
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(plan.hit("store.put"));  // another point (a prefix) counts nothing
    fired.push_back(plan.hit("store.put.partial"));
  }
  EXPECT_EQ(fired, (std::vector<bool>{false, false, true, false, false}));
}

TEST(CrashPlanTest, HitsFromManyThreadsFireExactlyOnce) {
  CrashPlan plan("p:500");
  std::atomic<int> fired{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) fired += plan.hit("p") ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(fired.load(), 1);
}

TEST(CrashPlanTest, MalformedSpecsAreRejected) {
  for (const char* spec : {"", ":2", "p:", "p:0", "p:-1", "p:x", "p:2x"}) {
    EXPECT_THROW(CrashPlan{spec}, std::invalid_argument) << spec;
  }
}

TEST(CrashPointTest, UnsetDoesNothing) {
  if (std::getenv("SLUICE_CRASH_AT") != nullptr) GTEST_SKIP() << "SLUICE_CRASH_AT is set";
  EXPECT_EQ(crash_detail::plan, nullptr);
  for (int i = 0; i < 3; ++i) crash_point("table.after_commit");
}

// Runs `body` in a death-test child whose environment has SLUICE_CRASH_AT=spec.
class CrashPointDeathTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
  void TearDown() override { ::unsetenv("SLUICE_CRASH_AT"); }
  static void arm(const char* spec) { ::setenv("SLUICE_CRASH_AT", spec, 1); }
};

TEST_F(CrashPointDeathTest, ThePlannedPointKillsWithSigkill) {
  arm("table.before_commit");
  EXPECT_EXIT(crash_point("table.before_commit"), ::testing::KilledBySignal(SIGKILL), "");
}

TEST_F(CrashPointDeathTest, OtherPointsAndEarlierHitsDoNothing) {
  arm("store.put.partial:3");
  EXPECT_EXIT(
      {
        crash_point("table.before_commit");
        crash_point("store.put.partial");
        crash_point("store.put.partial");
        std::_Exit(7);
      },
      ::testing::ExitedWithCode(7), "");
  EXPECT_EXIT(
      {
        for (int i = 0; i < 3; ++i) crash_point("store.put.partial");
        std::_Exit(7);
      },
      ::testing::KilledBySignal(SIGKILL), "");
}

TEST_F(CrashPointDeathTest, AMalformedValueArmsNothingAndSaysSo) {
  arm("table.after_commit:0");
  EXPECT_EXIT(
      {
        crash_point("table.after_commit");
        std::_Exit(7);
      },
      ::testing::ExitedWithCode(7), "SLUICE_CRASH_AT='table.after_commit:0': expected NAME");
}

}  // namespace
}  // namespace sluice
