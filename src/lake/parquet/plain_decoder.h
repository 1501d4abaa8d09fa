// PLAIN decoding (parquet-format Encodings.md) of values, into Values or into
// typed arrays (typed_column.h).
//
// Invariant: reads only inside `data` and throws ParquetError when it holds
// fewer than `count` values; returns the bytes consumed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "lake/parquet/file_writer.h"

namespace sluice::lake::parquet {

size_t decode_plain(Type type, std::string_view data, size_t count, std::vector<Value>& out);

// The same values without a Value each, appended to the array of the type's
// kind: booleans, INT32, dates, INT64, timestamps and decimals (unscaled) to
// `ints`; FLOAT and DOUBLE to `reals`; strings and binary to `bytes` as views
// into `data`, which must outlive them.
size_t decode_plain(Type type, std::string_view data, size_t count, std::vector<int64_t>& ints,
                    std::vector<double>& reals, std::vector<std::string_view>& bytes);

}  // namespace sluice::lake::parquet
