// Event time as window-aggregate reads it: epoch milliseconds, or ISO-8601
// (common/iso8601.h) with its offset applied, and UTC without one.
#include <gtest/gtest.h>

#include "common/iso8601.h"
#include "stages/window_aggregate/event_time.h"

namespace sluice::stages {
namespace {

constexpr int64_t k2026_01_05_10h = 1767607200000;  // 2026-01-05T10:00:00Z

TEST(WindowEventTime, ZuluAndZeroOffsetAreTheSameInstant) {
  EXPECT_EQ(parse_iso8601_ms("2026-01-05T10:00:00Z"), k2026_01_05_10h);
  EXPECT_EQ(parse_iso8601_ms("2026-01-05T10:00:00+00:00"), k2026_01_05_10h);
  EXPECT_EQ(parse_iso8601_ms("2026-01-05t10:00:00z"), k2026_01_05_10h);
  EXPECT_EQ(parse_iso8601_ms("2026-01-05 10:00:00-00:00"), k2026_01_05_10h);
}

TEST(WindowEventTime, OtherOffsetsAreAppliedNotIgnored) {
  EXPECT_EQ(parse_iso8601_ms("2026-01-05T12:00:00+02:00"), k2026_01_05_10h);
  EXPECT_EQ(parse_iso8601_ms("2026-01-05T04:30:00-0530"), k2026_01_05_10h);
  EXPECT_EQ(parse_iso8601_ms("2026-01-05T19:00:00+09"), k2026_01_05_10h);
  // Across midnight and a month boundary.
  EXPECT_EQ(parse_iso8601_ms("2026-01-01T01:00:00+02:00"),
            parse_iso8601_ms("2025-12-31T23:00:00Z"));
}

TEST(WindowEventTime, FractionsKeepMillisecondsAndTruncateTheRest) {
  EXPECT_EQ(parse_iso8601_ms("2026-01-05T10:00:00.5Z"), k2026_01_05_10h + 500);
  EXPECT_EQ(parse_iso8601_ms("2026-01-05T10:00:00.123456Z"), k2026_01_05_10h + 123);
  EXPECT_EQ(parse_iso8601_ms("2026-01-05T10:00:00,250+00:00"), k2026_01_05_10h + 250);
}

TEST(WindowEventTime, TextThatIsNoTimestampIsRefused) {
  EXPECT_EQ(parse_iso8601_ms("2026-01-05T10:00:00"), k2026_01_05_10h);  // no offset: UTC
  for (const char* bad : {"2026-01-05T10:00", "2026-01-05", "2026-02-30T10:00:00Z",
                          "2026-01-05T24:00:00Z", "2026-01-05T10:00:00+2", "2026-01-05T10:00:00Zx",
                          "2026-01-05T10:00:00.Z", "yesterday", ""}) {
    EXPECT_EQ(parse_iso8601_ms(bad), std::nullopt) << bad;
  }
}

TEST(WindowEventTime, EpochMillisecondsAsText) {
  EXPECT_EQ(parse_epoch_ms_text("1767607200000"), k2026_01_05_10h);
  EXPECT_EQ(parse_epoch_ms_text("-1000"), -1000);
  EXPECT_EQ(parse_epoch_ms_text("17676072e5"), std::nullopt);
}

TEST(WindowEventTime, FormatsUtcWithMillisecondsOnlyWhenNeeded) {
  EXPECT_EQ(format_iso8601_utc(k2026_01_05_10h), "2026-01-05T10:00:00Z");
  EXPECT_EQ(format_iso8601_utc(k2026_01_05_10h + 7), "2026-01-05T10:00:00.007Z");
  EXPECT_EQ(format_iso8601_utc(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(parse_iso8601_ms(format_iso8601_utc(-1)), -1);
}

}  // namespace
}  // namespace sluice::stages
