#include "broker/storage/incoming_batches.h"

#include <fmt/format.h>

#include "broker/storage/legacy_message_set.h"
#include "broker/storage/record_batch.h"
#include "common/clock.h"

namespace sluice::broker {
namespace {

IncomingBatches reject(IncomingRejection why, std::string reason) {
  IncomingBatches out;
  out.rejection = why;
  out.reason = std::move(reason);
  return out;
}

// The codec compression.type asks for, or nullopt for `producer` (keep the batch's).
std::optional<Codec> target_codec(const std::string& compression_type) {
  if (compression_type == "uncompressed") return Codec::kNone;
  for (Codec c : {Codec::kGzip, Codec::kSnappy, Codec::kLz4, Codec::kZstd}) {
    if (compression_type == codec_name(c)) return c;
  }
  return std::nullopt;
}

// cleanup.policy=compact keeps the latest record per key: a record without one
// could never be compacted, so Kafka refuses it (INVALID_RECORD).
std::optional<std::string> keyless_record(ByteSpan batch) {
  std::optional<std::string> refusal;
  for_each_record(batch, [&](const RecordView& r) {
    if (r.key) return true;
    refusal = fmt::format(
        "compacted topic cannot accept a record without a key (the record at offset delta {}); "
        "give every record a key, or set cleanup.policy=delete",
        r.offset);
    return false;
  });
  return refusal;
}

bool is_legacy_message_set(std::span<uint8_t> records) {
  // Magic 0/1 sits at the same byte position as a v2 batch's magic.
  return records.size() > kMagicOffset && int8_t(records[kMagicOffset]) < 2;
}

}  // namespace

IncomingBatches prepare_incoming_batches(std::span<uint8_t> records, const LogConfig& config,
                                         int64_t now) {
  IncomingBatches out;
  // Only a bounded CreateTime costs a second walk over the records.
  const bool bounded = config.timestamp_type == TimestampType::kCreateTime &&
                       (config.timestamp_before_max_ms != LogConfig::kNoLimit ||
                        config.timestamp_after_max_ms != LogConfig::kNoLimit);
  if (bounded && now < 0) now = now_ms();
  // What compression.type asks for, read once per request rather than per batch.
  const std::optional<Codec> codec = target_codec(config.compression_type);
  const bool compacted = has_cleanup_policy(config, "compact");
  if (is_legacy_message_set(records)) {
    auto conv = convert_legacy_message_set(records);
    if (!conv.ok) return reject(IncomingRejection::kCorrupt, conv.error);
    out.converted = std::move(conv.batch);
    records = out.converted;
  }
  size_t pos = 0;
  while (pos < records.size()) {
    auto header = parse_batch_header(records.subspan(pos));
    if (!header || header->batch_length < 0 || header->total_size() > records.size() - pos) {
      return reject(IncomingRejection::kCorrupt,
                    "record set ends inside a batch (truncated or bad length)");
    }
    auto batch = records.subspan(pos, header->total_size());
    if (int64_t(batch.size()) > config.max_message_bytes) {
      return reject(IncomingRejection::kTooLarge,
                    fmt::format("batch of {} bytes exceeds max.message.bytes={}", batch.size(),
                                config.max_message_bytes));
    }
    BatchCheck check = validate_batch(batch);
    if (!check.ok) return reject(IncomingRejection::kCorrupt, check.reason);
    if (header->is_control()) {
      return reject(IncomingRejection::kUnsupported,
                    "control batches are written by the transaction coordinator, never produced");
    }
    if (BatchCheck content = check_client_batch(batch); !content.ok)
      return reject(IncomingRejection::kInvalidRecord, content.reason);
    if (compacted) {
      if (auto why = keyless_record(batch)) return reject(IncomingRejection::kInvalidRecord, *why);
    }
    if (bounded) {
      if (auto why = timestamp_out_of_range(batch, now, config.timestamp_before_max_ms,
                                            config.timestamp_after_max_ms)) {
        return reject(IncomingRejection::kInvalidTimestamp, *why);
      }
    }
    if (codec && *codec != header->codec()) {
      out.recompressed.push_back(recompress_batch(batch, *codec));
      out.batches.push_back(out.recompressed.back());
    } else {
      out.batches.push_back(batch);
    }
    pos += batch.size();
  }
  if (out.batches.empty()) {
    return reject(IncomingRejection::kCorrupt, "produce request carried no record batch");
  }
  return out;
}

}  // namespace sluice::broker
