// Turns one JSON event into one table row, column by column by name.
//
// Mapping: string <- JSON string; long/integer <- JSON integer (range-checked);
// double/float <- JSON number; boolean <- true/false; timestamp <- ISO-8601
// string ("2026-11-27T12:00:00Z", optional fraction and offset) or integer
// epoch milliseconds; date <- "YYYY-MM-DD"; binary <- JSON string's bytes.
// A missing or null field is null in a nullable column; anything else that does
// not fit is a RowError naming the column, so the record goes to the DLQ as a
// validation failure instead of stopping the stage.
#pragma once

#include <stdexcept>
#include <string_view>
#include <vector>

#include "lake/delta/table_schema.h"
#include "lake/parquet/file_writer.h"

namespace sluice::stages {

class RowError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Columns whose `computed` entry is true are left null for the caller to fill
// (derived columns): the event's field of that name, if any, is not read.
lake::parquet::Row json_to_row(std::string_view json, const lake::delta::TableSchema& schema,
                               const std::vector<bool>& computed = {});

// Parses ISO-8601 timestamps with an offset (Z, +HH:MM) to microseconds since the
// epoch, keeping the fraction to the microsecond; throws RowError. Columns also take
// the other forms common/iso8601.h reads (no offset = UTC, +HHMM, +HH), to the ms.
int64_t parse_iso_timestamp_micros(std::string_view text);

}  // namespace sluice::stages
