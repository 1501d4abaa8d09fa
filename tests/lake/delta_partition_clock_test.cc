// PartitionClock: which partition columns hold the time, the span a partition
// covers, and the refusals that tell an operator what to pass instead.
#include <gtest/gtest.h>

#include "common/iso8601.h"
#include "lake/delta/delta_error.h"
#include "lake/delta/partition_clock.h"
#include "lake/delta/table_schema.h"

namespace sluice::lake::delta {
namespace {

using parquet::Type;

Metadata table(const TableSchema& schema, std::vector<std::string> partition_columns) {
  Metadata m;
  m.schema_string = to_schema_string(schema);
  m.partition_columns = std::move(partition_columns);
  return m;
}

int64_t ms(const char* iso) {
  return *parse_iso8601_ms(iso);
}

std::string refusal(const Metadata& m, const std::string& column) {
  try {
    [[maybe_unused]] PartitionClock partition_clock(m, column);
  } catch (const DeltaError& e) {
    return e.what();
  }
  return "";
}

const TableSchema kCalendar = {{"id", Type::kInt64, false},   {"year", Type::kInt32, true},
                               {"month", Type::kInt32, true}, {"day", Type::kInt32, true},
                               {"hour", Type::kInt32, true},  {"site", Type::kString, true}};

TEST(PartitionClock, CalendarColumnsCoverTheirYearMonthDayOrHour) {
  PartitionClock hourly(table(kCalendar, {"year", "month", "day", "hour"}), "");
  EXPECT_EQ(hourly.description(), "year/month/day/hour");
  EXPECT_EQ(hourly.end_ms({{"year", "2026"}, {"month", "2"}, {"day", "28"}, {"hour", "23"}}),
            ms("2026-03-01T00:00:00Z"));
  EXPECT_EQ(hourly.end_ms({{"year", "2026"}, {"month", "02"}, {"day", "3"}, {"hour", "0"}}),
            ms("2026-02-03T01:00:00Z"));
  PartitionClock monthly(table(kCalendar, {"site", "year", "month"}), "");
  EXPECT_EQ(monthly.description(), "year/month");
  EXPECT_EQ(monthly.end_ms({{"site", "a"}, {"year", "2026"}, {"month", "12"}}),
            ms("2027-01-01T00:00:00Z"));
  // `day` without `month` is not part of the calendar: the year alone counts.
  PartitionClock yearly(table(kCalendar, {"year", "day"}), "year");
  EXPECT_EQ(yearly.end_ms({{"year", "2025"}, {"day", "4"}}), ms("2026-01-01T00:00:00Z"));
}

TEST(PartitionClock, ANullOrUnreadableTimeIsNoTime) {
  PartitionClock hourly(table(kCalendar, {"year", "month", "day", "hour"}), "");
  EXPECT_EQ(hourly.end_ms({{"year", std::nullopt}, {"month", "1"}, {"day", "1"}, {"hour", "1"}}),
            std::nullopt);
  EXPECT_EQ(hourly.end_ms({{"year", "2026"}, {"month", "13"}, {"day", "1"}, {"hour", "1"}}),
            std::nullopt);
  EXPECT_EQ(hourly.end_ms({{"year", "2026"}, {"month", "1"}, {"day", "1"}, {"hour", "24"}}),
            std::nullopt);
  EXPECT_EQ(hourly.end_ms({{"year", "x"}, {"month", "1"}, {"day", "1"}, {"hour", "1"}}),
            std::nullopt);
}

TEST(PartitionClock, ADateCoversItsDayATimestampItsInstantTextEither) {
  const TableSchema schema = {{"id", Type::kInt64, false},
                              {"event_date", Type::kDate, true},
                              {"at", Type::kTimestampMicros, true},
                              {"label", Type::kString, true}};
  PartitionClock dated(table(schema, {"event_date"}), "");  // the only date/timestamp column
  EXPECT_EQ(dated.description(), "event_date (date)");
  EXPECT_EQ(dated.end_ms({{"event_date", "2026-11-05"}}), ms("2026-11-06T00:00:00Z"));
  PartitionClock stamped(table(schema, {"event_date", "at"}), "at");
  EXPECT_EQ(stamped.end_ms({{"at", "2026-11-05 10:00:00.000000"}}), ms("2026-11-05T10:00:00Z") + 1);
  PartitionClock text(table(schema, {"label"}), "label");
  EXPECT_EQ(text.end_ms({{"label", "2026-11-05"}}), ms("2026-11-06T00:00:00Z"));
  EXPECT_EQ(text.end_ms({{"label", "2026-11-05T10:00:00+01:00"}}), ms("2026-11-05T09:00:00Z") + 1);
  EXPECT_EQ(text.end_ms({{"label", "blue"}}), std::nullopt);
}

TEST(PartitionClock, RefusesWhatCannotTellTheTime) {
  EXPECT_NE(refusal(table(kCalendar, {}), "").find("the table is not partitioned"),
            std::string::npos);
  EXPECT_NE(refusal(table(kCalendar, {"year"}), "nope")
                .find("--time-column nope: the table has no partition column 'nope'; its "
                      "partition columns are [year]"),
            std::string::npos);
  EXPECT_NE(refusal(table(kCalendar, {"year", "hour"}), "hour")
                .find("the column is integer, not a date, timestamp or string"),
            std::string::npos);
  EXPECT_NE(refusal(table(kCalendar, {"site"}), "")
                .find("none of the table's partition columns [site] is a date or timestamp"),
            std::string::npos);
}

}  // namespace
}  // namespace sluice::lake::delta
