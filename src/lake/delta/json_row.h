// Turns one JSON object into one row of a table schema, column by column by
// name: the table sink's conversion of an event, shared with `sluice serve`'s
// Kafka tail so a record not yet committed reads exactly as its committed row will.
//
// Mapping: string <- JSON string; long/integer <- JSON integer (range-checked);
// double/float <- JSON number; boolean <- true/false; timestamp <- ISO-8601
// string ("2026-11-27T12:00:00Z", optional fraction and offset) or integer
// epoch milliseconds; date <- "YYYY-MM-DD"; binary <- JSON string's bytes.
// A missing or null field is null in a nullable column; anything else that does
// not fit is a RowError naming the column (the sink sends the record to the DLQ
// as a validation failure; serve skips it).
#pragma once

#include <simdjson.h>

#include <stdexcept>
#include <string_view>
#include <vector>

#include "lake/delta/table_schema.h"
#include "lake/parquet/file_writer.h"

namespace sluice::lake::delta {

class RowError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Columns whose `computed` entry is true are left null for the caller to fill
// (derived columns): the event's field of that name, if any, is not read.
// `parsed` is the event's parsed JSON; anything but an object is a RowError.
parquet::Row json_to_row(const simdjson::dom::element& parsed, const TableSchema& schema,
                         const std::vector<bool>& computed = {});

// Parses ISO-8601 timestamps with an offset (Z, +HH:MM) to microseconds since the
// epoch, keeping the fraction to the microsecond; throws RowError. Columns also take
// the other forms common/iso8601.h reads (no offset = UTC, +HHMM, +HH), to the ms.
int64_t parse_iso_timestamp_micros(std::string_view text);

}  // namespace sluice::lake::delta
