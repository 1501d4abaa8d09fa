#include "broker/storage/record_batch.h"

#include <fmt/format.h>

#include <cstring>

#include "common/crc32c.h"

namespace sluice::broker {

std::optional<BatchHeader> parse_batch_header(ByteSpan data) {
  if (data.size() < kBatchHeaderSize) return std::nullopt;
  ByteReader r(data.first(kBatchHeaderSize));
  BatchHeader h;
  h.base_offset = r.i64();
  h.batch_length = r.i32();
  h.leader_epoch = r.i32();
  h.magic = r.i8();
  h.crc = r.u32();
  h.attributes = r.i16();
  h.last_offset_delta = r.i32();
  h.first_timestamp = r.i64();
  h.max_timestamp = r.i64();
  h.producer_id = r.i64();
  h.producer_epoch = r.i16();
  h.base_sequence = r.i32();
  h.record_count = r.i32();
  return h;
}

BatchCheck validate_batch(ByteSpan data) {
  auto h = parse_batch_header(data);
  if (!h)
    return {false, fmt::format("record batch of {} bytes is shorter than its 61-byte header",
                               data.size())};
  if (h->magic != 2) {
    return {false,
            fmt::format("record batch has magic {}, only magic 2 is accepted here", h->magic)};
  }
  if (h->batch_length < int32_t(kBatchHeaderSize - kBatchLogOverhead) ||
      h->total_size() != data.size()) {
    return {false, fmt::format("record batch length field says {} bytes but {} bytes were sent",
                               h->total_size(), data.size())};
  }
  // The CRC covers the count fields, so check it first: a corrupt batch is reported as corrupt.
  uint32_t crc = crc32c(data.data() + kCrcCoveredFrom, data.size() - kCrcCoveredFrom);
  if (crc != h->crc) {
    return {false,
            fmt::format("record batch CRC-32C mismatch: header says {:#010x}, content is {:#010x}",
                        h->crc, crc)};
  }
  if (h->record_count < 0 || h->last_offset_delta < 0) {
    return {false, fmt::format("record batch has record count {} and last offset delta {}",
                               h->record_count, h->last_offset_delta)};
  }
  return {};
}

void assign_base_offset(uint8_t* batch, int64_t base_offset) {
  store_be64(batch, uint64_t(base_offset));
  store_be32(batch + 12, 0);  // partitionLeaderEpoch: single node, epoch 0
}

namespace {

// base + delta without signed-overflow UB when a corrupt delta is huge.
int64_t add_delta(int64_t base, int64_t delta) {
  return int64_t(uint64_t(base) + uint64_t(delta));
}

std::optional<std::string_view> read_varbytes(ByteReader& r, const char* what) {
  int64_t len = r.varint();
  if (len < 0) return std::nullopt;
  return r.view(size_t(len), what);
}

}  // namespace

namespace {

// Calls fn for each of the header's record_count records in `body` (uncompressed),
// until fn returns false. Returns the bytes left after the last record read.
size_t walk_records(const BatchHeader& h, ByteSpan body,
                    const std::function<bool(const RecordView&)>& fn) {
  ByteReader r(body);
  RecordView rec;
  for (int32_t i = 0; i < h.record_count; ++i) {
    const size_t record_start = r.position();
    int64_t len = r.varint();
    if (len < 0 || size_t(len) > r.remaining()) throw DecodeError("record length out of range");
    ByteReader rr(r.span(size_t(len), "record"));
    rec.encoded = body.subspan(record_start, r.position() - record_start);
    rr.i8();  // attributes, unused in v2
    rec.timestamp = add_delta(h.first_timestamp, rr.varint());
    rec.offset = add_delta(h.base_offset, rr.varint());
    rec.key = read_varbytes(rr, "record key");
    rec.value = read_varbytes(rr, "record value");
    int64_t nheaders = rr.varint();
    if (nheaders < 0 || size_t(nheaders) > rr.remaining()) throw DecodeError("bad header count");
    rec.headers.clear();
    for (int64_t k = 0; k < nheaders; ++k) {
      int64_t klen = rr.varint();
      if (klen < 0) throw DecodeError("record header key is null");
      std::string_view key = rr.view(size_t(klen), "record header key");
      rec.headers.push_back({key, read_varbytes(rr, "record header value")});
    }
    if (rr.remaining() != 0) {
      throw DecodeError(fmt::format("record says {} bytes but its fields end {} byte(s) earlier",
                                    len, rr.remaining()));
    }
    if (!fn(rec)) break;
  }
  return r.remaining();
}

// The records of a batch, decompressed when needed; `inflated` keeps them alive.
ByteSpan batch_body(const BatchHeader& h, ByteSpan batch, Bytes& inflated) {
  ByteSpan body = batch.subspan(kBatchHeaderSize);
  if (h.codec() == Codec::kNone) return body;
  inflated = decompress(h.codec(), body);
  return inflated;
}

BatchCheck invalid(std::string reason) {
  return {false, std::move(reason)};
}

}  // namespace

BatchCheck check_client_batch(ByteSpan batch) {
  BatchHeader h = *parse_batch_header(batch);
  int64_t count_from_offsets = int64_t(h.last_offset_delta) + 1;
  if (count_from_offsets <= 0)
    return invalid(fmt::format("record batch has last offset delta {}", h.last_offset_delta));
  if (h.record_count <= 0)
    return invalid(fmt::format("record batch declares {} records", h.record_count));
  if (count_from_offsets != h.record_count) {
    return invalid(fmt::format("record batch declares {} records but its offsets span {}",
                               h.record_count, count_from_offsets));
  }
  if (h.producer_id >= 0 && h.base_sequence < 0) {
    return invalid(
        fmt::format("record batch of producer {} has sequence {}", h.producer_id, h.base_sequence));
  }
  int32_t read = 0;
  size_t left = 0;
  try {
    Bytes inflated;
    left = walk_records(h, batch_body(h, batch, inflated), [&](const RecordView&) {
      ++read;
      return true;
    });
  } catch (const std::exception& e) {
    return invalid(fmt::format("record batch declares {} records but record {} is unreadable: {}",
                               h.record_count, read, e.what()));
  }
  if (left > 0) {
    return invalid(fmt::format("{} byte(s) of record batch remain after its {} declared records",
                               left, h.record_count));
  }
  return {};
}

Bytes recompress_batch(ByteSpan batch, Codec codec) {
  const BatchHeader h = *parse_batch_header(batch);
  Bytes inflated;
  const ByteSpan records = batch_body(h, batch, inflated);
  const Bytes payload =
      codec == Codec::kNone ? Bytes(records.begin(), records.end()) : compress(codec, records);
  Bytes out(kBatchHeaderSize + payload.size());
  std::memcpy(out.data(), batch.data(), kBatchHeaderSize);
  if (!payload.empty()) std::memcpy(out.data() + kBatchHeaderSize, payload.data(), payload.size());
  store_be16(out.data() + kAttributesOffset, uint16_t((h.attributes & ~0x7) | int16_t(codec)));
  seal_batch(out);
  return out;
}

void stamp_log_append_time(std::span<uint8_t> batch, int64_t now_ms) {
  store_be16(batch.data() + kAttributesOffset,
             uint16_t(load_be16(batch.data() + kAttributesOffset) | uint16_t(kLogAppendTimeBit)));
  store_be64(batch.data() + kMaxTimestampOffset, uint64_t(now_ms));
  seal_batch(batch);
}

void seal_batch(std::span<uint8_t> batch) {
  store_be32(batch.data() + kBatchLengthOffset, uint32_t(batch.size() - kBatchLogOverhead));
  store_be32(batch.data() + kCrcOffset,
             crc32c(batch.data() + kCrcCoveredFrom, batch.size() - kCrcCoveredFrom));
}

std::optional<std::string> timestamp_out_of_range(ByteSpan batch, int64_t now_ms, int64_t before_ms,
                                                  int64_t after_ms) {
  // Bounds as differences, which cannot overflow for "no limit" (INT64_MAX).
  std::optional<std::string> refusal;
  for_each_record(batch, [&](const RecordView& r) {
    const bool too_old =
        r.timestamp < now_ms && uint64_t(now_ms) - uint64_t(r.timestamp) > uint64_t(before_ms);
    const bool too_new =
        r.timestamp > now_ms && uint64_t(r.timestamp) - uint64_t(now_ms) > uint64_t(after_ms);
    if (!too_old && !too_new) return true;
    refusal = fmt::format(
        "timestamp {} of the record at offset delta {} is {} the broker's clock ({}) by more "
        "than message.timestamp.{}.max.ms ({} ms)",
        r.timestamp, r.offset, too_old ? "behind" : "ahead of", now_ms,
        too_old ? "before" : "after", too_old ? before_ms : after_ms);
    return false;
  });
  return refusal;
}

void for_each_record(ByteSpan batch, const std::function<bool(const RecordView&)>& fn) {
  auto h = parse_batch_header(batch);
  if (!h) throw DecodeError("record batch shorter than its header");
  Bytes inflated;
  walk_records(*h, batch_body(*h, batch, inflated), fn);
}

namespace {

void put_varbytes(ByteWriter& w, const std::optional<std::string>& s) {
  if (!s) {
    w.varint(-1);
    return;
  }
  w.varint(int64_t(s->size()));
  w.raw(*s);
}

}  // namespace

Bytes build_batch(int64_t base_offset, const std::vector<RecordInput>& records, Codec codec) {
  int64_t first_ts = records.empty() ? 0 : records.front().timestamp;
  int64_t max_ts = first_ts;
  ByteWriter body;
  for (size_t i = 0; i < records.size(); ++i) {
    const RecordInput& in = records[i];
    max_ts = std::max(max_ts, in.timestamp);
    ByteWriter rec;
    rec.i8(0);
    rec.varint(in.timestamp - first_ts);
    rec.varint(int64_t(i));
    put_varbytes(rec, in.key);
    put_varbytes(rec, in.value);
    rec.varint(int64_t(in.headers.size()));
    for (const auto& [k, v] : in.headers) {
      rec.varint(int64_t(k.size()));
      rec.raw(k);
      rec.varint(int64_t(v.size()));
      rec.raw(v);
    }
    body.varint(int64_t(rec.size()));
    body.raw(rec.buffer().data(), rec.size());
  }
  Bytes payload = codec == Codec::kNone ? std::move(body.buffer()) : compress(codec, body.buffer());

  ByteWriter w;
  w.i64(base_offset);
  w.i32(int32_t(kBatchHeaderSize - kBatchLogOverhead + payload.size()));
  w.i32(0);
  w.i8(2);
  w.u32(0);  // crc, patched below
  w.i16(int16_t(codec));
  w.i32(records.empty() ? 0 : int32_t(records.size() - 1));
  w.i64(first_ts);
  w.i64(max_ts);
  w.i64(-1);
  w.i16(-1);
  w.i32(-1);
  w.i32(int32_t(records.size()));
  w.raw(payload.data(), payload.size());
  Bytes out = std::move(w.buffer());
  seal_batch(out);
  return out;
}

}  // namespace sluice::broker
