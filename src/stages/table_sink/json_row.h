// The table sink's event -> row step: the record's JSON parsed by this thread's
// parser (stages/record_json.h, no allocation per record and no second parse
// in a chain), then converted by the conversion the table sink shares with
// `sluice serve` (lake/delta/json_row.h, where the mapping is described).
#pragma once

#include <string_view>
#include <vector>

#include "lake/delta/json_row.h"

namespace sluice::stages {

using lake::delta::parse_iso_timestamp_micros;
using lake::delta::RowError;

// Throws RowError when `json` is not a JSON object or a field does not fit its column.
lake::parquet::Row json_to_row(std::string_view json, const lake::delta::TableSchema& schema,
                               const std::vector<bool>& computed = {});

}  // namespace sluice::stages
