// Random identifiers: trace ids, Delta table ids, topic ids, data file names. Taken from
// a per-thread generator seeded by the OS, so concurrent writers (threads or
// processes) never pick the same name.
#pragma once

#include <cstdint>
#include <string>

namespace sluice {

void random_bytes(uint8_t* out, int n);  // n random bytes into out
std::string random_hex(int bytes);       // 2*bytes lowercase hex digits
std::string random_uuid();               // RFC 4122 version 4, "8-4-4-4-12"

}  // namespace sluice
