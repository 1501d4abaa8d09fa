// See docs/formats/spill-segment.md for the layout this file implements.
#include "pipeline/spill/spill_format.h"

#include "common/crc32c.h"

namespace sluice::pipeline::spill {
namespace {

constexpr uint8_t kKeyPresent = 1;
constexpr uint8_t kValueNull = 2;

void put_string(ByteWriter& w, std::string_view s) {
  w.u32(uint32_t(s.size()));
  w.raw(s);
}

std::string get_string(ByteReader& r, const char* what) {
  const uint32_t n = r.u32();
  return std::string(r.view(n, what));
}

}  // namespace

size_t entry_bytes(const Record& record) {
  size_t n =
      kFrameHeaderBytes + 8 + 8 + 1 + 4 + record.value.size() + 4 + record.trace_id.size() + 4;
  if (record.key) n += 4 + record.key->size();
  for (const auto& [name, value] : record.headers) n += 8 + name.size() + value.size();
  return n;
}

void encode_entry(const Record& record, Bytes& out) {
  const size_t frame = out.size();
  ByteWriter w(out);
  w.u32(0);  // crc, patched below
  w.u32(0);  // length, patched below
  w.i64(record.offset);
  w.i64(record.timestamp_ms);
  w.i8(int8_t((record.key ? kKeyPresent : 0) | (record.null_value ? kValueNull : 0)));
  if (record.key) put_string(w, *record.key);
  put_string(w, record.null_value ? std::string_view() : std::string_view(record.value));
  put_string(w, record.trace_id);
  w.u32(uint32_t(record.headers.size()));
  for (const auto& [name, value] : record.headers) {
    put_string(w, name);
    put_string(w, value);
  }
  const size_t body = out.size() - frame - kFrameHeaderBytes;
  store_be32(out.data() + frame + 4, uint32_t(body));
  store_be32(out.data() + frame, crc32c(out.data() + frame + 4, 4 + body));
}

DecodedEntry decode_entry(ByteSpan data) {
  ByteReader frame(data);
  const uint32_t crc = frame.u32();
  const uint32_t length = frame.u32();
  if (length > kMaxEntryBodyBytes)
    throw DecodeError("entry length " + std::to_string(length) + " is over the 1 GiB limit");
  ByteSpan body = frame.span(length, "entry body");
  if (crc32c(data.data() + 4, 4 + size_t(length)) != crc) throw DecodeError("entry CRC mismatch");

  DecodedEntry entry;
  entry.frame_bytes = kFrameHeaderBytes + length;
  Record& record = entry.record;
  ByteReader r(body);
  record.offset = r.i64();
  record.timestamp_ms = r.i64();
  const uint8_t flags = uint8_t(r.i8());
  if (flags & ~(kKeyPresent | kValueNull))
    throw DecodeError("entry flags " + std::to_string(flags) + " has unknown bits");
  if (flags & kKeyPresent) record.key = get_string(r, "key");
  record.value = get_string(r, "value");
  record.null_value = (flags & kValueNull) != 0;
  if (record.null_value && !record.value.empty())
    throw DecodeError("a null value with " + std::to_string(record.value.size()) + " bytes");
  record.trace_id = get_string(r, "trace id");
  const uint32_t headers = r.u32();
  for (uint32_t i = 0; i < headers; ++i) {
    std::string name = get_string(r, "header name");
    record.headers.emplace_back(std::move(name), get_string(r, "header value"));
  }
  if (!r.empty())
    throw DecodeError(std::to_string(r.remaining()) + " bytes after the entry's last header");
  return entry;
}

SegmentScan scan_segment(ByteSpan file, int64_t after_offset) {
  SegmentScan scan;
  if (file.size() < kSegmentMagic.size() ||
      std::string_view(reinterpret_cast<const char*>(file.data()), kSegmentMagic.size()) !=
          kSegmentMagic) {
    scan.error = "no " + std::string(kSegmentMagic) + " magic at the start";
    return scan;
  }
  size_t pos = kSegmentMagic.size();
  int64_t previous = after_offset;
  while (pos < file.size()) {
    try {
      DecodedEntry entry = decode_entry(file.subspan(pos));
      if (entry.record.offset <= previous) {
        scan.error = "offset " + std::to_string(entry.record.offset) + " is not above " +
                     std::to_string(previous);
        break;
      }
      previous = entry.record.offset;
      if (scan.entries++ == 0) scan.first_offset = previous;
      scan.last_offset = previous;
      pos += entry.frame_bytes;
    } catch (const DecodeError& e) {
      scan.error = e.what();
      break;
    }
  }
  if (!scan.error.empty()) scan.error += " at byte " + std::to_string(pos);
  scan.valid_bytes = pos;
  return scan;
}

}  // namespace sluice::pipeline::spill
