// Batches as producers send them, for the broker's produce-path tests.
#pragma once

#include <string>
#include <vector>

#include "broker/storage/record_batch.h"
#include "common/crc32c.h"

namespace sluice::broker::testing {

inline Bytes plain_batch(int records) {
  std::vector<RecordInput> in;
  for (int i = 0; i < records; ++i)
    in.push_back({1000 + i, std::nullopt, "v" + std::to_string(i), {}});
  return build_batch(0, in);
}

// Rewrites a batch's header fields and its CRC, as a producer would have written them.
inline void stamp_header(Bytes& batch, int64_t producer_id, int16_t epoch, int32_t base_sequence,
                         int16_t attributes = 0) {
  store_be16(batch.data() + 21, uint16_t(attributes));
  store_be64(batch.data() + 43, uint64_t(producer_id));
  store_be16(batch.data() + 51, uint16_t(epoch));
  store_be32(batch.data() + 53, uint32_t(base_sequence));
  store_be32(batch.data() + kCrcOffset,
             crc32c(batch.data() + kCrcCoveredFrom, batch.size() - kCrcCoveredFrom));
}

inline Bytes idempotent_batch(int64_t producer_id, int16_t epoch, int32_t base_sequence,
                              int records) {
  Bytes b = plain_batch(records);
  stamp_header(b, producer_id, epoch, base_sequence);
  return b;
}

}  // namespace sluice::broker::testing
