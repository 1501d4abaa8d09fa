// Derived columns of the table sink (`derive:`): UTC calendar fields of a
// timestamp, from every way an event may write it, and the option's checks.
#include <gtest/gtest.h>

#include "lake/delta/derived_columns.h"
#include "stages/table_sink/json_row.h"

namespace sluice::stages {
namespace {

using lake::delta::DerivedColumn;
using lake::delta::fill_derived_columns;
using lake::delta::read_derived_column;
using lake::parquet::Type;

lake::delta::TableSchema schema() {
  return {{"ts", Type::kTimestampMicros, true}, {"year", Type::kInt32, true},
          {"month", Type::kInt32, true},        {"day", Type::kInt64, true},
          {"hour", Type::kInt32, true},         {"d", Type::kDate, true},
          {"name", Type::kString, true}};
}

std::vector<DerivedColumn> derive_all(const lake::delta::TableSchema& s) {
  std::vector<DerivedColumn> out;
  for (const auto& [name, expr] :
       std::vector<std::pair<std::string, std::string>>{{"year", "year(ts)"},
                                                        {"month", "month(ts)"},
                                                        {"day", "day(ts)"},
                                                        {"hour", "hour(ts)"},
                                                        {"d", "date(ts)"}}) {
    DerivedColumn d;
    EXPECT_EQ(read_derived_column(s, name, expr, d), "") << name;
    out.push_back(d);
  }
  return out;
}

lake::parquet::Row derived_row(const std::string& json) {
  const auto s = schema();
  const auto derived = derive_all(s);
  std::vector<bool> computed(s.size(), false);
  for (const auto& d : derived) computed[d.column] = true;
  auto row = json_to_row(json, s, computed);
  fill_derived_columns(row, derived, s);
  return row;
}

TEST(TableSinkDerived, CalendarFieldsAreUtcWhateverTheOffsetWritten) {
  // 2026-12-31T23:30:00Z, written four ways: the same UTC hour, day, month and year.
  for (const char* ts : {"2026-12-31T23:30:00Z", "2027-01-01T05:00:00+05:30",
                         "2026-12-31T18:30:00-05:00", "2026-12-31T23:30:00"}) {
    const auto row = derived_row(std::string("{\"ts\":\"") + ts + "\",\"year\":\"ignored\"}");
    EXPECT_EQ(std::get<int32_t>(row[1].v), 2026) << ts;
    EXPECT_EQ(std::get<int32_t>(row[2].v), 12) << ts;
    EXPECT_EQ(std::get<int64_t>(row[3].v), 31) << ts;
    EXPECT_EQ(std::get<int32_t>(row[4].v), 23) << ts;
    EXPECT_EQ(std::get<int32_t>(row[5].v), 20818) << ts;  // days from 1970-01-01 to 2026-12-31
  }
}

TEST(TableSinkDerived, BeforeTheEpochAndWithoutASourceValue) {
  const auto before = derived_row("{\"ts\":\"1969-12-31T23:59:59.500Z\"}");
  EXPECT_EQ(std::get<int32_t>(before[1].v), 1969);
  EXPECT_EQ(std::get<int32_t>(before[4].v), 23);
  EXPECT_EQ(std::get<int32_t>(before[5].v), -1);
  const auto none = derived_row("{\"name\":\"x\"}");
  for (size_t i = 1; i <= 5; ++i) EXPECT_TRUE(none[i].is_null()) << i;
}

TEST(TableSinkDerived, RefusesWhatCannotBeComputedOrHeld) {
  const auto s = schema();
  DerivedColumn d;
  EXPECT_NE(read_derived_column(s, "year", "week(ts)", d).find("not year, month"),
            std::string::npos);
  EXPECT_NE(read_derived_column(s, "year", "year(nope)", d).find("not in `columns`"),
            std::string::npos);
  EXPECT_NE(read_derived_column(s, "nope", "year(ts)", d).find("not in `columns`"),
            std::string::npos);
  EXPECT_NE(read_derived_column(s, "name", "hour(ts)", d).find("integer or long"),
            std::string::npos);
  EXPECT_NE(read_derived_column(s, "year", "year(name)", d).find("not a timestamp or date"),
            std::string::npos);
  EXPECT_NE(read_derived_column(s, "d", "year(ts)", d).find("integer or long"), std::string::npos);
  EXPECT_NE(read_derived_column(s, "year", "year", d).find("fn(COLUMN)"), std::string::npos);
}

}  // namespace
}  // namespace sluice::stages
