// PLAIN value decoding (see plain_decoder.h). One decoder for both outputs:
// `Ints`, `Reals` are std::vector<Value> or the typed arrays; `emit_bytes`
// receives each string as a view into the page.
#include "lake/parquet/plain_decoder.h"

#include <cstring>
#include <type_traits>

namespace sluice::lake::parquet {
namespace {

[[noreturn]] void truncated() {
  throw ParquetError("page ends before its values");
}

template <typename Stored, typename Out>
size_t fixed(std::string_view data, size_t count, std::vector<Out>& out) {
  if (count > data.size() / sizeof(Stored)) truncated();
  if constexpr (std::is_same_v<Stored, Out>) {  // PLAIN is the in-memory layout (little-endian)
    const size_t at = out.size();
    out.resize(at + count);
    if (count != 0) std::memcpy(out.data() + at, data.data(), count * sizeof(Stored));
  } else {
    for (size_t i = 0; i < count; ++i) {
      Stored v;
      std::memcpy(&v, data.data() + i * sizeof(Stored), sizeof(Stored));
      out.emplace_back(v);
    }
  }
  return count * sizeof(Stored);
}

template <typename Out>
size_t booleans(std::string_view data, size_t count, std::vector<Out>& out) {
  const size_t bytes = (count + 7) / 8;
  if (bytes > data.size()) truncated();
  for (size_t i = 0; i < count; ++i) out.emplace_back(bool((uint8_t(data[i / 8]) >> (i % 8)) & 1));
  return bytes;
}

template <typename Emit>
size_t byte_arrays(std::string_view data, size_t count, Emit&& emit) {
  size_t pos = 0;
  for (size_t i = 0; i < count; ++i) {
    if (data.size() - pos < 4) truncated();
    uint32_t len;
    std::memcpy(&len, data.data() + pos, 4);
    pos += 4;
    if (len > data.size() - pos) truncated();
    emit(data.substr(pos, len));
    pos += len;
  }
  return pos;
}

template <typename Ints, typename Reals, typename Emit>
size_t decode(Type type, std::string_view data, size_t count, Ints& ints, Reals& reals,
              Emit&& emit_bytes) {
  switch (type) {
    case Type::kBoolean:
      return booleans(data, count, ints);
    case Type::kInt32:
    case Type::kDate:
      return fixed<int32_t>(data, count, ints);
    case Type::kInt64:
    case Type::kTimestampMicros:
    case Type::kDecimal:
      return fixed<int64_t>(data, count, ints);
    case Type::kFloat:
      return fixed<float>(data, count, reals);
    case Type::kDouble:
      return fixed<double>(data, count, reals);
    case Type::kString:
    case Type::kBinary:
      return byte_arrays(data, count, emit_bytes);
  }
  throw ParquetError("unknown type");
}

}  // namespace

size_t decode_plain(Type type, std::string_view data, size_t count, std::vector<Value>& out) {
  return decode(type, data, count, out, out,
                [&](std::string_view s) { out.emplace_back(std::string(s)); });
}

size_t decode_plain(Type type, std::string_view data, size_t count, std::vector<int64_t>& ints,
                    std::vector<double>& reals, std::vector<std::string_view>& bytes) {
  return decode(type, data, count, ints, reals, [&](std::string_view s) { bytes.push_back(s); });
}

}  // namespace sluice::lake::parquet
