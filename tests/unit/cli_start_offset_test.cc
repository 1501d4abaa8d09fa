// Where `sluice topics consume --offset` starts: each spelling parsed, and
// every start resolved inside the partition's log [low, high].
#include <gtest/gtest.h>

#include "cli/topics/start_offset.h"

namespace sluice::cli {
namespace {

using Kind = StartOffset::Kind;

TEST(CliStartOffset, ParsesEverySpelling) {
  EXPECT_EQ(parse_start_offset("beginning").kind, Kind::kBeginning);
  EXPECT_EQ(parse_start_offset("start").kind, Kind::kBeginning);
  EXPECT_EQ(parse_start_offset("end").kind, Kind::kEnd);
  const StartOffset exact = parse_start_offset("42");
  EXPECT_EQ(exact.kind, Kind::kOffset);
  EXPECT_EQ(exact.value, 42);
  const StartOffset last = parse_start_offset("-5");
  EXPECT_EQ(last.kind, Kind::kLastN);
  EXPECT_EQ(last.value, 5);
  const StartOffset at = parse_start_offset("@2023-11-14T22:13:20Z");
  EXPECT_EQ(at.kind, Kind::kTime);
  EXPECT_EQ(at.value, 1700000000000);
  EXPECT_EQ(parse_start_offset("@1700000000000").value, 1700000000000);
}

TEST(CliStartOffset, RefusesAnythingElse) {
  for (const char* bad : {"", "latest-ish", "4x", "@yesterday", "+3"})
    EXPECT_THROW(parse_start_offset(bad), std::invalid_argument) << bad;
}

TEST(CliStartOffset, ResolvesWithinTheLog) {
  const kafka::Watermarks log{10, 20};
  EXPECT_EQ(resolve_start({Kind::kBeginning, 0}, log, std::nullopt), 10);
  EXPECT_EQ(resolve_start({Kind::kEnd, 0}, log, std::nullopt), 20);
  EXPECT_EQ(resolve_start({Kind::kOffset, 15}, log, std::nullopt), 15);
  EXPECT_EQ(resolve_start({Kind::kOffset, 3}, log, std::nullopt), 10);   // deleted: log start
  EXPECT_EQ(resolve_start({Kind::kOffset, 99}, log, std::nullopt), 20);  // not written yet: end
  EXPECT_EQ(resolve_start({Kind::kLastN, 4}, log, std::nullopt), 16);
  EXPECT_EQ(resolve_start({Kind::kLastN, 50}, log, std::nullopt), 10);
}

TEST(CliStartOffset, ATimeWithNoRecordThatLateStartsAtTheEnd) {
  const kafka::Watermarks log{10, 20};
  EXPECT_EQ(resolve_start({Kind::kTime, 1}, log, 12), 12);
  EXPECT_EQ(resolve_start({Kind::kTime, 1}, log, -1), 20);
  EXPECT_EQ(resolve_start({Kind::kTime, 1}, log, std::nullopt), 20);
}

}  // namespace
}  // namespace sluice::cli
