// CRC-32C (Castagnoli), the checksum of Kafka record batches (magic 2).
#pragma once

#include <cstddef>
#include <cstdint>

namespace sluice {

// Extends `crc` (0 to start) over `n` bytes at `data`.
uint32_t crc32c(const void* data, size_t n, uint32_t crc = 0);

}  // namespace sluice
