// The time a partition of a table covers, read from its partition values, for
// retention ("delete what is older than 30 days"). Two layouts are understood:
//  - calendar columns `year[/month[/day[/hour]]]` (integers, as the IoT and
//    Spark jobs write them): the partition covers that year, month, day or hour;
//  - one date, timestamp or string column holding a date or timestamp: a date
//    covers its day, a timestamp the one instant.
//
// Invariant: a partition is older than a cutoff only when the whole span it
// covers ends at or before the cutoff, so no row younger than the cutoff can be
// in it; a partition whose time cannot be read (null, not a time) is never older.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lake/delta/actions.h"

namespace sluice::lake::delta {

class PartitionClock {
 public:
  // The time columns of a table with `metadata`. `column` names them: a date,
  // timestamp or string partition column, or "year" for the calendar columns.
  // Empty `column` detects: the calendar columns when `year` is a partition
  // column, else the one date or timestamp partition column. Throws DeltaError
  // saying why none fits (an unpartitioned table, an unknown or unsuitable
  // column, no or several candidates) and what to pass instead.
  PartitionClock(const Metadata& metadata, const std::string& column);

  // "year/month/day/hour", "event_date (date)".
  std::string description() const;
  // The end (exclusive, ms since the epoch) of the span the partition with
  // these values covers; nullopt when its time cannot be read.
  std::optional<int64_t> end_ms(const PartitionValues& values) const;

 private:
  enum class Kind { kCalendar, kDate, kTimestamp, kText };
  Kind kind_ = Kind::kCalendar;
  std::vector<std::string> columns_;  // calendar: year, month, ...; otherwise one column
};

}  // namespace sluice::lake::delta
