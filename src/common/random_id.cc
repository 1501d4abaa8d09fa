#include "common/random_id.h"

#include <cstdint>
#include <random>

namespace sluice {
namespace {

uint8_t random_byte() {
  thread_local std::mt19937_64 rng{(uint64_t(std::random_device{}()) << 32) ^
                                   std::random_device{}()};
  return uint8_t(rng());
}

void append_hex(std::string& out, uint8_t b) {
  static const char kDigits[] = "0123456789abcdef";
  out += kDigits[b >> 4];
  out += kDigits[b & 15];
}

}  // namespace

std::string random_hex(int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) append_hex(out, random_byte());
  return out;
}

std::string random_uuid() {
  std::string out;
  for (int i = 0; i < 16; ++i) {
    uint8_t b = random_byte();
    if (i == 6) b = uint8_t((b & 0x0f) | 0x40);  // version 4
    if (i == 8) b = uint8_t((b & 0x3f) | 0x80);  // RFC 4122 variant
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    append_hex(out, b);
  }
  return out;
}

}  // namespace sluice
