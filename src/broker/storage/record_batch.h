// Kafka record batch (magic v2) header parsing, validation and record iteration.
//
// On-disk and on-wire layout are identical: the broker stores batches as sent,
// changing only the base offset (and partition leader epoch), which the
// CRC-32C does not cover, so a stored batch always stays checksum-valid.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "common/bytes.h"
#include "common/compression.h"

namespace sluice::broker {

// baseOffset(8) batchLength(4) partitionLeaderEpoch(4) magic(1) crc(4) attributes(2)
// lastOffsetDelta(4) firstTimestamp(8) maxTimestamp(8) producerId(8) producerEpoch(2)
// baseSequence(4) recordCount(4)
inline constexpr size_t kBatchHeaderSize = 61;
// Bytes before the batchLength field counts: baseOffset + batchLength itself.
inline constexpr size_t kBatchLogOverhead = 12;
inline constexpr size_t kCrcOffset = 17;       // where the crc field sits
inline constexpr size_t kCrcCoveredFrom = 21;  // CRC covers attributes..end
inline constexpr size_t kMagicOffset = 16;
inline constexpr size_t kBatchLengthOffset = 8;
inline constexpr size_t kAttributesOffset = 21;
inline constexpr size_t kMaxTimestampOffset = 35;
inline constexpr size_t kRecordCountOffset = 57;
inline constexpr int16_t kLogAppendTimeBit = 0x08;  // attributes: timestamps are the broker's

struct BatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;  // bytes after the batchLength field
  int32_t leader_epoch = 0;
  int8_t magic = 0;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t first_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t record_count = 0;

  int64_t last_offset() const { return base_offset + last_offset_delta; }
  size_t total_size() const { return kBatchLogOverhead + size_t(batch_length); }
  Codec codec() const { return Codec(attributes & 0x7); }
  bool is_transactional() const { return attributes & 0x10; }
  bool is_control() const { return attributes & 0x20; }
  bool is_log_append_time() const { return attributes & kLogAppendTimeBit; }
};

// Parses the fixed header at the start of `data`. Returns nullopt when fewer
// than kBatchHeaderSize bytes are available (a torn tail). Does not check magic or CRC.
std::optional<BatchHeader> parse_batch_header(ByteSpan data);

// Why a batch was rejected, in words fit for a log line and an error_message field.
struct BatchCheck {
  bool ok = true;
  std::string reason;
};

// Integrity of one batch occupying exactly `data`: magic 2, length consistent
// with the buffer, CRC-32C, no negative record count or offset delta. A failure
// is answered CORRUPT_MESSAGE.
BatchCheck validate_batch(ByteSpan data);

// Kafka's checks on a batch a client produced, for a batch validate_batch()
// passed; a failure is Kafka's INVALID_RECORD: record_count positive and equal
// to lastOffsetDelta + 1, a sequence with a producer id, and exactly
// record_count whole records filling the batch (decompressed if need be).
BatchCheck check_client_batch(ByteSpan batch);

// Sets the base offset (and leader epoch) of a batch in place.
void assign_base_offset(uint8_t* batch, int64_t base_offset);

struct RecordHeader {
  std::string_view key;
  std::optional<std::string_view> value;
};

struct RecordView {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;
  std::vector<RecordHeader> headers;
  // The record as stored: its length varint and body, inside the (decompressed)
  // records of the batch. A filtered batch copies these bytes unchanged.
  ByteSpan encoded;
};

// LogAppendTime (message.timestamp.type): marks a validated batch's timestamps as
// the broker's (attributes bit 3), sets its max timestamp to `now_ms` and
// recomputes the CRC, in place. Readers then take every record's time from it.
void stamp_log_append_time(std::span<uint8_t> batch, int64_t now_ms);

// message.timestamp.before.max.ms / after.max.ms: the first record of a validated
// batch whose CreateTime lies more than `before_ms` behind or `after_ms` ahead of
// `now_ms`, as Kafka's INVALID_TIMESTAMP message words it; nullopt when all fit.
std::optional<std::string> timestamp_out_of_range(ByteSpan batch, int64_t now_ms, int64_t before_ms,
                                                  int64_t after_ms);

// Sets a batch's length field from its size and recomputes its CRC-32C, in
// place: the last step of every change to a stored batch.
void seal_batch(std::span<uint8_t> batch);

// compression.type set to a codec: the same batch (header fields, records byte
// for byte) with its records compressed by `codec` instead (kNone: stored
// uncompressed), its length, attributes and CRC updated.
Bytes recompress_batch(ByteSpan batch, Codec codec);

// Calls `fn` for each record of a validated batch, decompressing if needed.
// Return false from `fn` to stop early. Throws DecodeError on malformed records.
void for_each_record(ByteSpan batch, const std::function<bool(const RecordView&)>& fn);

// Builds an uncompressed magic-2 batch (used by tests, benchmarks and legacy conversion).
struct RecordInput {
  int64_t timestamp = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::string>> headers;
};
Bytes build_batch(int64_t base_offset, const std::vector<RecordInput>& records,
                  Codec codec = Codec::kNone);

}  // namespace sluice::broker
