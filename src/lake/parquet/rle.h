// The RLE / bit-packed hybrid of parquet-format Encodings.md, used for
// definition and repetition levels and for dictionary indices.
//
// Invariant: rle_encode() emits runs that any conforming reader decodes back
// to exactly `values` (bit-packed runs are whole groups of 8; only the last
// group is padded with zeros); RleDecoder never reads outside its input and
// throws ParquetError when the input ends before the requested values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sluice::lake::parquet {

// Bits needed to store every value in [0, max_value]; at least 1.
int bit_width_for(uint64_t max_value);

// Appends the hybrid encoding of values[0..n) at `bit_width` (1..32) to `out`
// (without the 4-byte length prefix that v1 level data carries).
template <typename T>
void rle_encode(const T* values, size_t n, int bit_width, std::string& out);

// Appends [4-byte LE length][hybrid encoding] as v1 data pages store levels.
void encode_levels(const uint8_t* levels, size_t n, int max_level, std::string& out);

class RleDecoder {
 public:
  RleDecoder(const uint8_t* data, size_t size, int bit_width);
  // Decodes the next n values into out; throws if the input runs out.
  void decode(uint32_t* out, size_t n);

 private:
  void next_run();

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  int bit_width_;
  // Current run: `left` values remain; either a repeated value or packed bits at `packed_pos`.
  uint64_t left_ = 0;
  bool packed_ = false;
  uint32_t repeated_ = 0;
  size_t packed_pos_ = 0;  // bit offset into data_ for the next packed value
};

}  // namespace sluice::lake::parquet
