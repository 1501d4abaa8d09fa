#include "broker/storage/control_batch.h"

#include "broker/storage/record_batch.h"
#include "common/crc32c.h"

namespace sluice::broker {
namespace {

constexpr size_t kAttributesAt = 21;
constexpr size_t kProducerIdAt = 43;
constexpr size_t kProducerEpochAt = 51;
constexpr int16_t kControlTransactional = 0x20 | 0x10;

}  // namespace

Bytes build_marker_batch(int64_t producer_id, int16_t producer_epoch, MarkerType type,
                         int32_t coordinator_epoch, int64_t timestamp_ms) {
  ByteWriter key;
  key.i16(0);
  key.i16(int16_t(type));
  ByteWriter value;
  value.i16(0);
  value.i32(coordinator_epoch);
  RecordInput record;
  record.timestamp = timestamp_ms;
  record.key = std::string(key.buffer().begin(), key.buffer().end());
  record.value = std::string(value.buffer().begin(), value.buffer().end());
  Bytes batch = build_batch(0, {record});
  store_be16(batch.data() + kAttributesAt, uint16_t(kControlTransactional));
  store_be64(batch.data() + kProducerIdAt, uint64_t(producer_id));
  store_be16(batch.data() + kProducerEpochAt, uint16_t(producer_epoch));
  store_be32(batch.data() + kCrcOffset,
             crc32c(batch.data() + kCrcCoveredFrom, batch.size() - kCrcCoveredFrom));
  return batch;
}

std::optional<MarkerType> marker_type(ByteSpan control_batch) {
  std::optional<MarkerType> type;
  try {
    for_each_record(control_batch, [&](const RecordView& r) {
      if (r.key && r.key->size() >= 4) {
        int16_t t = int16_t(load_be16(reinterpret_cast<const uint8_t*>(r.key->data()) + 2));
        if (t == 0 || t == 1) type = MarkerType(t);
      }
      return false;
    });
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return type;
}

}  // namespace sluice::broker
