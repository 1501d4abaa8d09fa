#include "broker/storage/legacy_message_set.h"

#include <fmt/format.h>
#include <zlib.h>

#include <vector>

#include "broker/storage/record_batch.h"
#include "common/clock.h"
#include "common/compression.h"

namespace sluice::broker {
namespace {

// A legacy message on the wire:
// offset(8) size(4) | crc(4) magic(1) attributes(1) [timestamp(8) if magic 1] key value

std::optional<std::string> read_legacy_bytes(ByteReader& r) {
  int32_t n = r.i32();
  if (n < 0) return std::nullopt;
  return std::string(r.view(size_t(n), "message key/value"));
}

// Appends the records of `set` to `out`; `depth` stops nested compression bombs.
void unpack(ByteSpan set, int64_t now, int depth, std::vector<RecordInput>& out) {
  ByteReader r(set);
  while (!r.empty()) {
    r.i64();  // offset: the log assigns offsets, the client's are ignored
    int32_t size = r.i32();
    if (size < 14) throw DecodeError(fmt::format("legacy message size {} is too small", size));
    ByteSpan msg = r.span(size_t(size), "legacy message");
    uint32_t crc = load_be32(msg.data());
    if (uint32_t(::crc32(0, msg.data() + 4, uInt(msg.size() - 4))) != crc) {
      throw DecodeError("legacy message CRC-32 mismatch");
    }
    ByteReader m(msg.subspan(4));
    int8_t magic = m.i8();
    int8_t attributes = m.i8();
    if (magic != 0 && magic != 1)
      throw DecodeError(fmt::format("legacy message has magic {}", magic));
    int64_t ts = magic == 1 ? m.i64() : -1;
    RecordInput rec;
    rec.timestamp = ts >= 0 ? ts : now;
    rec.key = read_legacy_bytes(m);
    rec.value = read_legacy_bytes(m);
    auto codec = Codec(attributes & 0x07);
    if (codec == Codec::kNone) {
      out.push_back(std::move(rec));
      continue;
    }
    if (depth > 0 || !rec.value) throw DecodeError("nested or empty compressed legacy message");
    Bytes inner = decompress(
        codec, ByteSpan(reinterpret_cast<const uint8_t*>(rec.value->data()), rec.value->size()));
    unpack(inner, ts >= 0 ? ts : now, depth + 1, out);
  }
}

}  // namespace

LegacyConversion convert_legacy_message_set(ByteSpan records) {
  LegacyConversion result;
  std::vector<RecordInput> inputs;
  try {
    unpack(records, now_ms(), 0, inputs);
  } catch (const DecodeError& e) {
    result.error = std::string("malformed legacy (magic 0/1) message set: ") + e.what();
    return result;
  }
  if (inputs.empty()) {
    result.error = "legacy message set holds no messages";
    return result;
  }
  result.batch = build_batch(0, inputs);
  result.ok = true;
  return result;
}

}  // namespace sluice::broker
