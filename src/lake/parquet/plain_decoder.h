// PLAIN decoding (parquet-format Encodings.md) of values into Values.
//
// Invariant: reads only inside `data` and throws ParquetError when it holds
// fewer than `count` values; returns the bytes consumed.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "lake/parquet/file_writer.h"

namespace sluice::lake::parquet {

size_t decode_plain(Type type, std::string_view data, size_t count, std::vector<Value>& out);

}  // namespace sluice::lake::parquet
