#include "lake/delta/partition_clock.h"

#include <algorithm>
#include <charconv>

#include "common/iso8601.h"
#include "lake/delta/delta_error.h"
#include "lake/delta/table_schema.h"
#include "lake/delta/time_text.h"

namespace sluice::lake::delta {
namespace {

constexpr const char* kCalendar[] = {"year", "month", "day", "hour"};
constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kDayMs = 24 * kHourMs;

std::string listed(const std::vector<std::string>& names) {
  std::string out = "[";
  for (const auto& n : names) out += (out.size() > 1 ? ", " : "") + n;
  return out + "]";
}

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::optional<int64_t> integer(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  int64_t v = 0;
  const char* end = text->data() + text->size();
  auto [p, ec] = std::from_chars(text->data(), end, v);
  if (ec != std::errc() || p != end) return std::nullopt;
  return v;
}

// The end of the span year[/month[/day[/hour]]] covers: the start of the next
// year, month, day or hour.
std::optional<int64_t> calendar_end(const std::vector<std::optional<int64_t>>& parts) {
  const int64_t year = *parts[0];
  if (parts.size() == 1) return days_from_civil(year + 1, 1, 1) * kDayMs;
  const int64_t month = *parts[1];
  if (month < 1 || month > 12) return std::nullopt;
  if (parts.size() == 2) {
    return (month == 12 ? days_from_civil(year + 1, 1, 1)
                        : days_from_civil(year, unsigned(month + 1), 1)) *
           kDayMs;
  }
  const int64_t day = *parts[2];
  if (day < 1 || day > 31) return std::nullopt;
  const int64_t start_of_day = days_from_civil(year, unsigned(month), unsigned(day)) * kDayMs;
  if (parts.size() == 3) return start_of_day + kDayMs;
  const int64_t hour = *parts[3];
  if (hour < 0 || hour > 23) return std::nullopt;
  return start_of_day + (hour + 1) * kHourMs;
}

}  // namespace

PartitionClock::PartitionClock(const Metadata& metadata, const std::string& column) {
  const auto& partition_columns = metadata.partition_columns;
  if (partition_columns.empty()) {
    throw DeltaError(
        "the table is not partitioned, so it has no whole partitions to delete by age; "
        "only partitioned tables (partition_by in the table sink) can be cleaned up this way");
  }
  const TableSchema schema = parse_schema_string(metadata.schema_string);
  auto type_of = [&](const std::string& name) {
    for (const auto& c : schema)
      if (c.name == name) return c.type;
    throw DeltaError("partition column '" + name + "' is not in the table's schema");
  };
  auto use_calendar = [&] {
    kind_ = Kind::kCalendar;
    for (const char* c : kCalendar) {
      if (!has(partition_columns, c)) break;
      columns_.push_back(c);
    }
  };
  if (column.empty()) {
    if (has(partition_columns, "year")) {
      use_calendar();
      return;
    }
    std::vector<std::string> candidates;
    for (const auto& c : partition_columns) {
      const auto t = type_of(c);
      if (t == parquet::Type::kDate || t == parquet::Type::kTimestampMicros)
        candidates.push_back(c);
    }
    if (candidates.size() != 1) {
      throw DeltaError(
          std::string(candidates.empty() ? "none" : "more than one") +
          " of the table's partition columns " + listed(partition_columns) +
          " is a date or timestamp, and none is 'year'; say which column holds the time with "
          "--time-column COLUMN (a date, timestamp or string column, or 'year' for "
          "year/month/day/hour)");
    }
    columns_ = candidates;
  } else if (!has(partition_columns, column)) {
    throw DeltaError("--time-column " + column + ": the table has no partition column '" + column +
                     "'; its partition columns are " + listed(partition_columns));
  } else if (column == "year") {
    use_calendar();
    return;
  } else {
    columns_ = {column};
  }
  switch (type_of(columns_[0])) {
    case parquet::Type::kDate:
      kind_ = Kind::kDate;
      break;
    case parquet::Type::kTimestampMicros:
      kind_ = Kind::kTimestamp;
      break;
    case parquet::Type::kString:
      kind_ = Kind::kText;
      break;
    default:
      throw DeltaError("--time-column " + columns_[0] + ": the column is " +
                       delta_type_name(type_of(columns_[0])) +
                       ", not a date, timestamp or string; name a date, timestamp or string "
                       "partition column, or 'year' for year/month/day/hour partitions");
  }
}

std::string PartitionClock::description() const {
  if (kind_ == Kind::kCalendar) {
    std::string out;
    for (const auto& c : columns_) out += (out.empty() ? "" : "/") + c;
    return out;
  }
  const char* type = kind_ == Kind::kDate        ? "date"
                     : kind_ == Kind::kTimestamp ? "timestamp"
                                                 : "text";
  return columns_[0] + " (" + type + ")";
}

std::optional<int64_t> PartitionClock::end_ms(const PartitionValues& values) const {
  auto value = [&](const std::string& c) -> std::optional<std::string> {
    auto it = values.find(c);
    return it == values.end() ? std::nullopt : it->second;
  };
  if (kind_ == Kind::kCalendar) {
    std::vector<std::optional<int64_t>> parts;
    for (const auto& c : columns_) {
      parts.push_back(integer(value(c)));
      if (!parts.back()) return std::nullopt;
    }
    return calendar_end(parts);
  }
  const auto text = value(columns_[0]);
  if (!text || text->empty()) return std::nullopt;
  // A date covers its whole day; a timestamp is one instant.
  if (auto days = parse_date(*text); days && kind_ != Kind::kTimestamp)
    return (int64_t(*days) + 1) * kDayMs;
  if (auto micros = parse_timestamp_micros(*text)) return *micros / 1000 + 1;
  if (kind_ == Kind::kText) {
    if (auto ms = parse_iso8601_ms(*text)) return *ms + 1;
  }
  return std::nullopt;
}

}  // namespace sluice::lake::delta
