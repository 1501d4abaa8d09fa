// The JSON form of Parquet values shared by the test tools (parquet_write_tool,
// parquet_read_tool) and compared with DuckDB's by the Python tests: integers,
// timestamps (µs since the epoch) and dates (days since the epoch) as decimal
// strings, so 64-bit values survive JSON; floats as numbers, or
// "NaN"/"Infinity"/"-Infinity"; binary as "hex:<lowercase hex>"; lists as
// arrays, maps as arrays of [key, value], structs as objects.
#pragma once

#include <string>

#include "lake/parquet/file_writer.h"

namespace sluice::lake::parquet {

std::string quote(const std::string& s);  // a JSON string
std::string json(const Field& f, const Value& v);

}  // namespace sluice::lake::parquet
