// PLAIN value decoding (see plain_decoder.h).
#include "lake/parquet/plain_decoder.h"

#include <cstring>

namespace sluice::lake::parquet {
namespace {

[[noreturn]] void truncated() {
  throw ParquetError("page ends before its values");
}

template <typename Stored, typename As = Stored>
size_t fixed(std::string_view data, size_t count, std::vector<Value>& out) {
  if (count > data.size() / sizeof(Stored)) truncated();
  for (size_t i = 0; i < count; ++i) {
    Stored v;
    std::memcpy(&v, data.data() + i * sizeof(Stored), sizeof(Stored));
    out.emplace_back(As(v));
  }
  return count * sizeof(Stored);
}

size_t booleans(std::string_view data, size_t count, std::vector<Value>& out) {
  const size_t bytes = (count + 7) / 8;
  if (bytes > data.size()) truncated();
  for (size_t i = 0; i < count; ++i) out.emplace_back(bool((uint8_t(data[i / 8]) >> (i % 8)) & 1));
  return bytes;
}

size_t byte_arrays(std::string_view data, size_t count, std::vector<Value>& out) {
  size_t pos = 0;
  for (size_t i = 0; i < count; ++i) {
    if (data.size() - pos < 4) truncated();
    uint32_t len;
    std::memcpy(&len, data.data() + pos, 4);
    pos += 4;
    if (len > data.size() - pos) truncated();
    out.emplace_back(std::string(data.substr(pos, len)));
    pos += len;
  }
  return pos;
}

}  // namespace

size_t decode_plain(Type type, std::string_view data, size_t count, std::vector<Value>& out) {
  switch (type) {
    case Type::kBoolean:
      return booleans(data, count, out);
    case Type::kInt32:
    case Type::kDate:
      return fixed<int32_t>(data, count, out);
    case Type::kInt64:
    case Type::kTimestampMicros:
    case Type::kDecimal:
      return fixed<int64_t>(data, count, out);
    case Type::kFloat:
      return fixed<float>(data, count, out);
    case Type::kDouble:
      return fixed<double>(data, count, out);
    case Type::kString:
    case Type::kBinary:
      return byte_arrays(data, count, out);
  }
  throw ParquetError("unknown type");
}

}  // namespace sluice::lake::parquet
