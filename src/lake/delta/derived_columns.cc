#include "lake/delta/derived_columns.h"

#include <map>

#include "common/iso8601.h"

namespace sluice::lake::delta {
namespace {

using parquet::Type;

const std::map<std::string, TimePart>& functions() {
  static const std::map<std::string, TimePart> f = {{"year", TimePart::kYear},
                                                    {"month", TimePart::kMonth},
                                                    {"day", TimePart::kDay},
                                                    {"hour", TimePart::kHour},
                                                    {"date", TimePart::kDate}};
  return f;
}

}  // namespace

std::string read_derived_column(const TableSchema& columns, const std::string& name,
                                const std::string& expression, DerivedColumn& out) {
  const size_t open = expression.find('(');
  if (open == std::string::npos || expression.back() != ')')
    return "is '" + expression + "'; write fn(COLUMN), fn one of year, month, day, hour, date";
  const std::string fn = expression.substr(0, open);
  const std::string source = expression.substr(open + 1, expression.size() - open - 2);
  const auto f = functions().find(fn);
  if (f == functions().end())
    return "uses '" + fn + "', which is not year, month, day, hour or date";
  auto index = [&](const std::string& c) {
    for (size_t i = 0; i < columns.size(); ++i)
      if (columns[i].name == c) return i;
    return columns.size();
  };
  out.column = index(name);
  out.source = index(source);
  out.part = f->second;
  if (out.column == columns.size()) return "derives '" + name + "', which is not in `columns`";
  if (out.source == columns.size()) return "reads '" + source + "', which is not in `columns`";
  if (out.source == out.column) return "derives '" + name + "' from itself";
  const Type from = columns[out.source].type, to = columns[out.column].type;
  if (from != Type::kTimestampMicros && from != Type::kDate)
    return "reads '" + source + "', which is not a timestamp or date column";
  if (out.part == TimePart::kHour && from != Type::kTimestampMicros)
    return "takes the hour of '" + source + "', a date column";
  const bool fits =
      out.part == TimePart::kDate ? to == Type::kDate : to == Type::kInt32 || to == Type::kInt64;
  if (!fits) {
    return "derives '" + name + "' of type " + delta_type_name(to) + "; " + fn +
           "() needs a column of type " +
           (out.part == TimePart::kDate ? "date" : "integer or long");
  }
  return "";
}

void fill_derived_columns(parquet::Row& row, const std::vector<DerivedColumn>& derived,
                          const TableSchema& columns) {
  for (const DerivedColumn& d : derived) {
    const parquet::Value& source = row[d.source];
    int64_t days = 0, hour = 0;
    if (const auto* micros = std::get_if<int64_t>(&source.v)) {
      const int64_t seconds = floor_div(*micros, 1000000);
      days = floor_div(seconds, 86400);
      hour = (seconds - days * 86400) / 3600;
    } else if (const auto* date = std::get_if<int32_t>(&source.v)) {
      days = *date;
    } else {
      row[d.column] = parquet::Value();
      continue;
    }
    const CivilDate c = civil_from_days(days);
    int64_t v = 0;
    switch (d.part) {
      case TimePart::kYear:
        v = c.year;
        break;
      case TimePart::kMonth:
        v = c.month;
        break;
      case TimePart::kDay:
        v = c.day;
        break;
      case TimePart::kHour:
        v = hour;
        break;
      case TimePart::kDate:
        row[d.column] = int32_t(days);
        continue;
    }
    if (columns[d.column].type == Type::kInt32) {
      row[d.column] = int32_t(v);
    } else {
      row[d.column] = v;
    }
  }
}

}  // namespace sluice::lake::delta
