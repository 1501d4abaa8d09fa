// RLE / bit-packed hybrid encoder and bounds-checked decoder (see rle.h).
#include "lake/parquet/rle.h"

#include <algorithm>
#include <cstring>

#include "lake/parquet/file_writer.h"

namespace sluice::lake::parquet {
namespace {

// A run of at least this many equal values is cheaper as an RLE run than packed.
constexpr size_t kMinRepeat = 8;

void put_varint(uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out.push_back(char(uint8_t(v) | 0x80));
    v >>= 7;
  }
  out.push_back(char(v));
}

// Packs 8 values LSB-first: exactly bit_width bytes.
template <typename T>
void pack8(const T* v, int bit_width, std::string& out) {
  uint64_t acc = 0;
  int bits = 0;
  for (int k = 0; k < 8; ++k) {
    acc |= uint64_t(v[k]) << bits;
    bits += bit_width;
    while (bits >= 8) {
      out.push_back(char(uint8_t(acc)));
      acc >>= 8;
      bits -= 8;
    }
  }
}

template <typename T>
void put_packed(const T* v, size_t n, int bit_width, std::string& out) {
  if (n == 0) return;
  const size_t groups = (n + 7) / 8;
  put_varint(uint64_t(groups) << 1 | 1, out);
  for (size_t g = 0; g + 1 < groups; ++g) pack8(v + g * 8, bit_width, out);
  T last[8] = {};  // the final group is padded with zeros
  std::memcpy(last, v + (groups - 1) * 8, (n - (groups - 1) * 8) * sizeof(T));
  pack8(last, bit_width, out);
}

void put_repeated(uint64_t value, size_t count, int bit_width, std::string& out) {
  put_varint(uint64_t(count) << 1, out);
  for (int b = 0; b < (bit_width + 7) / 8; ++b) out.push_back(char(uint8_t(value >> (8 * b))));
}

template <typename T>
size_t run_length(const T* v, size_t i, size_t n) {
  size_t j = i + 1;
  while (j < n && v[j] == v[i]) ++j;
  return j - i;
}

[[noreturn]] void fail(const char* what) {
  throw ParquetError(std::string("malformed RLE: ") + what);
}

}  // namespace

int bit_width_for(uint64_t max_value) {
  int w = 1;
  while (w < 64 && (max_value >> w) != 0) ++w;
  return w;
}

// Literals are collected in whole groups of 8, so a repeat can only start an
// RLE run at a group boundary; that keeps every packed run but the last unpadded.
template <typename T>
void rle_encode(const T* values, size_t n, int bit_width, std::string& out) {
  size_t literal_start = 0, i = 0;
  while (i < n) {
    const size_t run = run_length(values, i, n);
    if (run >= kMinRepeat) {
      put_packed(values + literal_start, i - literal_start, bit_width, out);
      put_repeated(values[i], run, bit_width, out);
      i += run;
      literal_start = i;
    } else {
      i = std::min(i + 8, n);
    }
  }
  put_packed(values + literal_start, n - literal_start, bit_width, out);
}

template void rle_encode<uint8_t>(const uint8_t*, size_t, int, std::string&);
template void rle_encode<uint32_t>(const uint32_t*, size_t, int, std::string&);

void encode_levels(const uint8_t* levels, size_t n, int max_level, std::string& out) {
  const size_t at = out.size();
  out.append(4, '\0');
  rle_encode(levels, n, bit_width_for(uint64_t(max_level)), out);
  const uint32_t len = uint32_t(out.size() - at - 4);
  std::memcpy(out.data() + at, &len, 4);  // little-endian hosts only (checked in page_codec.cc)
}

RleDecoder::RleDecoder(const uint8_t* data, size_t size, int bit_width)
    : data_(data), size_(size), bit_width_(bit_width) {
  if (bit_width < 0 || bit_width > 32) fail("bit width above 32");
}

void RleDecoder::next_run() {
  uint64_t header = 0;
  for (int shift = 0;; shift += 7) {
    if (pos_ >= size_) fail("truncated run header");
    if (shift > 35) fail("run header too long");
    const uint8_t b = data_[pos_++];
    header |= uint64_t(b & 0x7F) << shift;
    if (!(b & 0x80)) break;
  }
  packed_ = header & 1;
  if (packed_) {
    left_ = (header >> 1) * 8;
    const uint64_t bytes = (header >> 1) * uint64_t(bit_width_);
    // Writers may end the last packed run early: decode() only fails if it needs the missing bits.
    packed_pos_ = pos_ * 8;
    pos_ = bytes > size_ - pos_ ? size_ : pos_ + bytes;
  } else {
    left_ = header >> 1;
    const int bytes = (bit_width_ + 7) / 8;
    if (size_t(bytes) > size_ - pos_) fail("truncated repeated value");
    uint64_t v = 0;
    for (int b = 0; b < bytes; ++b) v |= uint64_t(data_[pos_++]) << (8 * b);
    if (bit_width_ < 32 && (v >> bit_width_) != 0) fail("repeated value wider than the bit width");
    repeated_ = uint32_t(v);
  }
}

void RleDecoder::decode(uint32_t* out, size_t n) {
  const uint64_t mask = bit_width_ == 0 ? 0 : (~uint64_t(0) >> (64 - bit_width_));
  size_t done = 0;
  while (done < n) {
    if (left_ == 0) {
      next_run();
      continue;
    }
    const size_t take = size_t(std::min<uint64_t>(left_, n - done));
    if (!packed_) {
      std::fill(out + done, out + done + take, repeated_);
    } else {
      if ((packed_pos_ + take * size_t(bit_width_) + 7) / 8 > size_) fail("truncated packed run");
      for (size_t k = 0; k < take; ++k, packed_pos_ += size_t(bit_width_)) {
        uint64_t word = 0;
        const size_t byte = packed_pos_ / 8;
        const size_t avail = std::min<size_t>(8, size_ - byte);
        std::memcpy(&word, data_ + byte, avail);
        out[done + k] = uint32_t((word >> (packed_pos_ % 8)) & mask);
      }
    }
    left_ -= take;
    done += take;
  }
}

}  // namespace sluice::lake::parquet
