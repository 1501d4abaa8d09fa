// `sluice up`'s supervisor decisions, without processes: when a stage that died
// is restarted at once and when it is crash-looping and must wait, where a
// (re)started child is reached (the port in its ready line), and when the demo
// source has sent everything --count asked for.
#include <gtest/gtest.h>

#include "cli/up/restart_policy.h"

namespace sluice::cli {
namespace {

TEST(CliSupervisor, AStageThatRanLongEnoughIsRestartedAtOnce) {
  EXPECT_EQ(stage_restart_delay_ms(kCrashLoopWindowMs), 0);
  EXPECT_EQ(stage_restart_delay_ms(60'000), 0);
}

TEST(CliSupervisor, AStageThatDiedSoonAfterStartingIsCrashLoopingAndWaits) {
  EXPECT_EQ(stage_restart_delay_ms(0), kCrashLoopPauseMs);
  EXPECT_EQ(stage_restart_delay_ms(kCrashLoopWindowMs - 1), kCrashLoopPauseMs);
  EXPECT_EQ(kCrashLoopPauseMs, 2000);  // what docs/up.md promises an operator watching a loop
}

TEST(CliSupervisor, TheBrokersReadyLineNamesItsListenPort) {
  EXPECT_EQ(port_in_ready_line(
                "sluice broker listening on 127.0.0.1:9092 (data dir /tmp/d/broker, flush 1s, "
                "admin on http://127.0.0.1:40111)",
                "listening on "),
            9092);
}

TEST(CliSupervisor, AStagesReadyLineNamesItsAdminPort) {
  EXPECT_EQ(port_in_ready_line(
                "sluice run: pipeline 'claims', 1 stage(s), admin on http://127.0.0.1:41234",
                "admin on http://"),
            41234);
  // The broker's line also has an admin address; asked for it, that one is found.
  EXPECT_EQ(port_in_ready_line("sluice broker listening on 127.0.0.1:9092 (data dir d, flush 1s, "
                               "admin on http://127.0.0.1:40111)",
                               "admin on http://"),
            40111);
}

TEST(CliSupervisor, AReadyLineWithoutTheAddressGivesNoPort) {
  EXPECT_EQ(port_in_ready_line("", "listening on "), 0);
  EXPECT_EQ(port_in_ready_line("error: address already in use", "listening on "), 0);
  EXPECT_EQ(port_in_ready_line("ready on port 9092: listening on localhost", "listening on "), 0);
}

TEST(CliSupervisor, TheSourceIsDoneOnceTheTopicHoldsTheCountedEventsMore) {
  // 1000 records were on the topic before this run; --count 200.
  EXPECT_FALSE(source_sent_all(200, 1000, 1000));
  EXPECT_FALSE(source_sent_all(200, 1000, 1199));
  EXPECT_TRUE(source_sent_all(200, 1000, 1200));
  EXPECT_TRUE(source_sent_all(200, 1000, 1250));  // at-least-once resends count too
}

TEST(CliSupervisor, WithoutACountTheSourceIsNeverDoneByCounting) {
  EXPECT_FALSE(source_sent_all(0, 0, 1'000'000));
}

}  // namespace
}  // namespace sluice::cli
