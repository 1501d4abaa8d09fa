// The bytes of a spill segment: the framing and encoding of one consumed
// record, and the scan that finds where a segment's valid entries end.
// The format is written down once, in docs/formats/spill-segment.md.
//
// Invariant: scan_segment() never reads outside its span and never throws on
// any input; whatever it accepts decodes again with decode_entry(). So a torn
// or corrupted file is cut at its first bad entry and never crashes recovery
// (fuzz/spill_segment_fuzz.cc).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "pipeline/record.h"

namespace sluice::pipeline::spill {

inline constexpr std::string_view kSegmentMagic = "SLSPILL1";
inline constexpr size_t kFrameHeaderBytes = 8;            // crc, length
inline constexpr uint32_t kMaxEntryBodyBytes = 1u << 30;  // a length above is corruption

// Bytes encode_entry() appends for `record` (frame included).
size_t entry_bytes(const Record& record);

// Appends `record` framed as one entry (its topic and partition are not kept:
// they are the spill directory's).
void encode_entry(const Record& record, Bytes& out);

// One framed entry at the start of `data`: its record (topic and partition
// left empty) and its size. Throws DecodeError saying what is wrong.
struct DecodedEntry {
  Record record;
  size_t frame_bytes = 0;
};
DecodedEntry decode_entry(ByteSpan data);

// The valid prefix of a segment file's bytes.
struct SegmentScan {
  size_t valid_bytes = 0;  // magic and whole valid entries; 0 when the magic is bad
  int64_t entries = 0;
  int64_t first_offset = -1;  // of the first valid entry (-1: none)
  int64_t last_offset = -1;   // of the last one
  std::string error;          // why the scan stopped before the end ("" when it did not)
};
// Entries must have offsets above `after_offset` (the previous segment's last,
// or -1) and increasing.
SegmentScan scan_segment(ByteSpan file, int64_t after_offset);

}  // namespace sluice::pipeline::spill
