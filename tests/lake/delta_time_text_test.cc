// Timestamp and date text (lake/delta/time_text.h, common/iso8601.h): the forms
// written digit by digit are printf's forms, and parse back to the same value.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "common/iso8601.h"
#include "lake/delta/time_text.h"

namespace sluice::lake::delta {
namespace {

// The printf forms the formatters must keep producing.
std::string printf_form(int64_t micros, char separator, int digits) {
  const int64_t secs = floor_div(micros, 1'000'000), days = floor_div(secs, 86'400);
  const int64_t second_of_day = secs - days * 86'400, fraction = micros - secs * 1'000'000;
  const CivilDate d = civil_from_days(days);
  char text[64];
  std::snprintf(text, sizeof text, "%04lld-%02u-%02u%c%02d:%02d:%02d.%0*lld",
                static_cast<long long>(d.year), d.month, d.day, separator,
                int(second_of_day / 3600), int(second_of_day / 60 % 60), int(second_of_day % 60),
                digits, static_cast<long long>(digits == 3 ? fraction / 1000 : fraction));
  return text;
}

TEST(TimeText, FormatsAsPrintfDidAndParsesBack) {
  std::mt19937_64 rng(7);
  std::vector<int64_t> samples = {0,
                                  1,
                                  -1,
                                  999'999,
                                  1'000'000,
                                  86'400'000'000 - 1,
                                  1'796'637'776'281'123,
                                  -62'135'596'800'000'000,   // 0001-01-01
                                  253'402'300'799'999'999};  // 9999-12-31
  for (int i = 0; i < 20'000; ++i)
    samples.push_back(int64_t(rng() % 500'000'000'000'000'000) - 100'000'000'000'000'000);
  for (int64_t us : samples) {
    EXPECT_EQ(format_timestamp_micros(us), printf_form(us, ' ', 6)) << us;
    EXPECT_EQ(format_timestamp_iso_millis(us), printf_form(us, 'T', 3) + "Z") << us;
    const int64_t days = floor_div(us, 86'400'000'000);
    if (days >= -719'162 && days <= 2'932'896) {  // years 1 to 9999: what parse reads
      EXPECT_EQ(parse_timestamp_micros(format_timestamp_micros(us)), us) << us;
    }
  }
}

TEST(TimeText, DatesOutsideFourDigitYearsKeepPrintfsForm) {
  for (int64_t days : {int64_t(-719'163), int64_t(2'932'897), int64_t(-800'000), int64_t(0)}) {
    const CivilDate d = civil_from_days(days);
    char text[32];
    std::snprintf(text, sizeof text, "%04lld-%02u-%02u", static_cast<long long>(d.year), d.month,
                  d.day);
    EXPECT_EQ(format_iso_date(days), text) << days;
  }
  EXPECT_EQ(format_iso_date(20'794), "2026-12-07");
}

}  // namespace
}  // namespace sluice::lake::delta
