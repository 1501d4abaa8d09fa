// Big-endian byte reading and writing, plus the zig-zag varints Kafka uses.
//
// Invariant: ByteReader never reads past the end of its span; any attempt
// throws DecodeError naming what was being read, so a malformed frame from a
// client can never crash the process or read foreign memory.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

using Bytes = std::vector<uint8_t>;
using ByteSpan = std::span<const uint8_t>;

class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline uint16_t load_be16(const uint8_t* p) {
  return uint16_t(p[0] << 8 | p[1]);
}
inline uint32_t load_be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}
inline uint64_t load_be64(const uint8_t* p) {
  return uint64_t(load_be32(p)) << 32 | load_be32(p + 4);
}
inline void store_be16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
inline void store_be32(uint8_t* p, uint32_t v) {
  for (int i = 3; i >= 0; --i, v >>= 8) p[i] = uint8_t(v);
}
inline void store_be64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = uint8_t(v);
}

class ByteReader {
 public:
  explicit ByteReader(ByteSpan data) : data_(data) {}

  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool empty() const { return remaining() == 0; }

  int8_t i8() { return int8_t(*take(1, "int8")); }
  int16_t i16() { return int16_t(load_be16(take(2, "int16"))); }
  int32_t i32() { return int32_t(load_be32(take(4, "int32"))); }
  int64_t i64() { return int64_t(load_be64(take(8, "int64"))); }
  uint32_t u32() { return load_be32(take(4, "uint32")); }

  uint64_t uvarint() {
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = *take(1, "varint");
      result |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
    }
    throw DecodeError("varint is longer than 10 bytes");
  }
  int64_t varint() {
    uint64_t u = uvarint();
    return int64_t(u >> 1) ^ -int64_t(u & 1);
  }

  ByteSpan span(size_t n, const char* what = "bytes") { return {take(n, what), n}; }
  std::string_view view(size_t n, const char* what = "string") {
    return {reinterpret_cast<const char*>(take(n, what)), n};
  }
  void skip(size_t n) { take(n, "skipped bytes"); }

 private:
  const uint8_t* take(size_t n, const char* what) {
    if (n > remaining()) {
      throw DecodeError(std::string("truncated input: needed ") + std::to_string(n) +
                        " bytes for " + what + ", " + std::to_string(remaining()) + " left");
    }
    const uint8_t* p = data_.data() + pos_;
    pos_ += n;
    return p;
  }

  ByteSpan data_;
  size_t pos_ = 0;
};

class ByteWriter {
 public:
  ByteWriter() = default;
  explicit ByteWriter(Bytes& out) : out_(&out) {}

  void i8(int8_t v) { out().push_back(uint8_t(v)); }
  void i16(int16_t v) { put_be(uint16_t(v), 2); }
  void i32(int32_t v) { put_be(uint32_t(v), 4); }
  void i64(int64_t v) { put_be(uint64_t(v), 8); }
  void u32(uint32_t v) { put_be(v, 4); }
  void uvarint(uint64_t v) {
    while (v >= 0x80) {
      out().push_back(uint8_t(v) | 0x80);
      v >>= 7;
    }
    out().push_back(uint8_t(v));
  }
  void varint(int64_t v) { uvarint((uint64_t(v) << 1) ^ uint64_t(v >> 63)); }
  void raw(const void* p, size_t n) {
    auto* b = static_cast<const uint8_t*>(p);
    out().insert(out().end(), b, b + n);
  }
  void raw(ByteSpan s) { raw(s.data(), s.size()); }
  void raw(std::string_view s) { raw(s.data(), s.size()); }

  size_t size() const { return out_ ? out_->size() : own_.size(); }
  // Overwrites a big-endian int32 written earlier, for length prefixes known only at the end.
  void patch_i32(size_t at, int32_t v) { store_be32(out().data() + at, uint32_t(v)); }
  Bytes& buffer() { return out(); }

 private:
  Bytes& out() { return out_ ? *out_ : own_; }
  // One resize and one store, not n push_backs: checkpoints and Kafka messages
  // write these by the hundred thousand.
  void put_be(uint64_t v, int n) {
    Bytes& b = out();
    const size_t at = b.size();
    b.resize(at + size_t(n));
    uint8_t* p = b.data() + at;
    if (n == 8) {
      store_be64(p, v);
    } else if (n == 4) {
      store_be32(p, uint32_t(v));
    } else {
      store_be16(p, uint16_t(v));
    }
  }
  Bytes own_;
  Bytes* out_ = nullptr;
};

}  // namespace sluice
