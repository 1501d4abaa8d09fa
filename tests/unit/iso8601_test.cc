// Event-time text (common/iso8601.h): every spelling the IoT source writes, the
// same instant whatever the offset, and a refusal for days and times that do
// not exist.
#include "common/iso8601.h"

#include <gtest/gtest.h>

#include <ctime>
#include <random>

namespace sluice {
namespace {

constexpr int64_t kInstant = 1'796'556'000'250;  // 2026-12-06T11:20:00.250Z

TEST(Iso8601, EverySpellingOfOneInstantGivesTheSameMilliseconds) {
  EXPECT_EQ(parse_iso8601_ms("2026-12-06T11:20:00.250Z"), kInstant);
  EXPECT_EQ(parse_iso8601_ms("2026-12-06T11:20:00.250+00:00"), kInstant);
  EXPECT_EQ(parse_iso8601_ms("2026-12-06T16:50:00.250+05:30"), kInstant);
  EXPECT_EQ(parse_iso8601_ms("2026-12-06T06:20:00.250-05:00"), kInstant);
  EXPECT_EQ(parse_iso8601_ms("2026-12-06T06:20:00.250-0500"), kInstant);
  EXPECT_EQ(parse_iso8601_ms("2026-12-06T11:20:00.250"), kInstant);  // no offset: UTC
  EXPECT_EQ(parse_iso8601_ms("2026-12-06 11:20:00.25Z"), kInstant);
  EXPECT_EQ(parse_iso8601_ms("2026-12-06T11:20:00.250999999Z"), kInstant);  // truncated
  EXPECT_EQ(parse_iso8601_ms("2026-12-06T11:20:00Z"), kInstant - 250);
}

TEST(Iso8601, AgreesWithTimegmOnRandomInstants) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    const int64_t secs = int64_t(rng() % 8'000'000'000ULL) - 2'000'000'000;  // 1906..2223
    std::time_t t = std::time_t(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[40];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    ASSERT_EQ(parse_iso8601_ms(text), secs * 1000) << text;
  }
}

TEST(Iso8601, DaysAndTimesThatDoNotExistAreRefused) {
  for (const char* bad : {"2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
                          "2026-12-06T24:00:00Z", "2026-12-06T11:60:00Z", "2026-12-06T11:20:60Z",
                          "2026-00-10T00:00:00Z", "2026-12-00T00:00:00Z"})
    EXPECT_EQ(parse_iso8601_ms(bad), std::nullopt) << bad;
  EXPECT_TRUE(parse_iso8601_ms("2024-02-29T00:00:00Z"));  // a leap year
  EXPECT_TRUE(parse_iso8601_ms("2000-02-29T00:00:00Z"));
  EXPECT_EQ(parse_iso8601_ms("1900-02-29T00:00:00Z"), std::nullopt);
}

TEST(Iso8601, AnythingElseIsRefused) {
  for (const char* bad :
       {"", "2026-12-06", "2026-12-06T11:20", "2026-12-06T11:20:00.Z", "2026-12-06T11:20:00+5:30",
        "2026-12-06T11:20:00+05:3", "2026-12-06T11:20:00 UTC", "2026-12-06T11:20:00ZZ",
        "2026/12/06T11:20:00Z", "1796556000250", "2026-12-06T11:20:00.1234567890Z",
        "2026-12-06T11:20:00+24:00"})
    EXPECT_EQ(parse_iso8601_ms(bad), std::nullopt) << bad;
}

TEST(Iso8601, BeforeTheEpoch) {
  EXPECT_EQ(parse_iso8601_ms("1969-12-31T23:59:59.500Z"), -500);
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
}

}  // namespace
}  // namespace sluice
