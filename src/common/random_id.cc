#include "common/random_id.h"

#include <cstdint>
#include <random>

namespace sluice {
namespace {

uint64_t random_word() {
  thread_local std::mt19937_64 rng{(uint64_t(std::random_device{}()) << 32) ^
                                   std::random_device{}()};
  return rng();
}

void append_hex(std::string& out, uint8_t b) {
  static const char kDigits[] = "0123456789abcdef";
  out += kDigits[b >> 4];
  out += kDigits[b & 15];
}

}  // namespace

// Eight bytes per generator call: trace ids are minted for every record.
void random_bytes(uint8_t* out, int n) {
  for (int i = 0; i < n; i += 8) {
    uint64_t w = random_word();
    for (int j = 0; j < 8 && i + j < n; ++j) out[i + j] = uint8_t(w >> (8 * j));
  }
}

// Straight into the string: a stage mints one trace id per record it consumes.
std::string random_hex(int bytes) {
  std::string out;
  out.reserve(size_t(bytes > 0 ? bytes : 0) * 2);
  for (int i = 0; i < bytes; i += 8) {
    uint64_t w = random_word();
    for (int j = 0; j < 8 && i + j < bytes; ++j) append_hex(out, uint8_t(w >> (8 * j)));
  }
  return out;
}

std::string random_uuid() {
  uint8_t raw[16];
  random_bytes(raw, 16);
  std::string out;
  for (int i = 0; i < 16; ++i) {
    uint8_t b = raw[i];
    if (i == 6) b = uint8_t((b & 0x0f) | 0x40);  // version 4
    if (i == 8) b = uint8_t((b & 0x3f) | 0x80);  // RFC 4122 variant
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    append_hex(out, b);
  }
  return out;
}

}  // namespace sluice
