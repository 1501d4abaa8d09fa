#include "broker/storage/batch_filter.h"

#include <cstring>

namespace sluice::broker {

FilteredBatch filter_batch(ByteSpan batch, const std::function<bool(const RecordView&)>& keep,
                           bool keep_empty_header) {
  const BatchHeader h = *parse_batch_header(batch);
  Bytes records;
  FilteredBatch out;
  int32_t seen = 0;
  int64_t max_timestamp = h.first_timestamp;
  for_each_record(batch, [&](const RecordView& r) {
    ++seen;
    if (keep(r)) {
      ++out.kept;
      records.insert(records.end(), r.encoded.begin(), r.encoded.end());
      max_timestamp = std::max(max_timestamp, r.timestamp);
    }
    return true;
  });
  if (out.kept == seen) return out;
  if (out.kept == 0 && !keep_empty_header) {
    out.outcome = FilteredBatch::Outcome::kDropped;
    return out;
  }
  // An empty batch is stored uncompressed: there is nothing to compress.
  const Codec codec = out.kept == 0 ? Codec::kNone : h.codec();
  const Bytes payload = codec == Codec::kNone ? std::move(records) : compress(codec, records);
  out.batch.resize(kBatchHeaderSize + payload.size());
  std::memcpy(out.batch.data(), batch.data(), kBatchHeaderSize);
  if (!payload.empty())
    std::memcpy(out.batch.data() + kBatchHeaderSize, payload.data(), payload.size());
  store_be16(out.batch.data() + kAttributesOffset,
             uint16_t((h.attributes & ~0x7) | int16_t(codec)));
  // Under LogAppendTime every record's time is the header's: it stays.
  if (!h.is_log_append_time() && out.kept > 0)
    store_be64(out.batch.data() + kMaxTimestampOffset, uint64_t(max_timestamp));
  store_be32(out.batch.data() + kRecordCountOffset, uint32_t(out.kept));
  seal_batch(out.batch);
  out.outcome = FilteredBatch::Outcome::kRebuilt;
  return out;
}

}  // namespace sluice::broker
