// libFuzzer target: recovery's scan of a spill segment file
// (docs/formats/spill-segment.md), as after a torn write or a corrupted disk.
//
// Random bytes rarely carry a valid CRC, so each input is also run with every
// frame's CRC recomputed, so the mutator reaches the entry decoder behind it.
//
// Expected: scan_segment() never throws, never reads outside the input, and
// every entry in the valid prefix it reports decodes again with increasing
// offsets. Anything else is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "common/crc32c.h"
#include "pipeline/spill/spill_format.h"

namespace {

using namespace sluice;
using namespace sluice::pipeline::spill;

void check(ByteSpan file) {
  const SegmentScan scan = scan_segment(file, -1);
  if (scan.valid_bytes > file.size()) std::abort();
  if (scan.valid_bytes == 0) return;
  size_t pos = kSegmentMagic.size();
  int64_t entries = 0, previous = -1;
  while (pos < scan.valid_bytes) {
    DecodedEntry entry = decode_entry(file.subspan(pos, scan.valid_bytes - pos));  // must not throw
    if (entry.record.offset <= previous) std::abort();
    previous = entry.record.offset;
    pos += entry.frame_bytes;
    ++entries;
  }
  if (pos != scan.valid_bytes || entries != scan.entries) std::abort();
}

// The input with each frame's CRC made right, walking frames by their lengths.
Bytes with_crcs_fixed(ByteSpan data) {
  Bytes fixed(data.begin(), data.end());
  size_t pos = kSegmentMagic.size();
  while (pos + kFrameHeaderBytes <= fixed.size()) {
    const uint32_t length = load_be32(fixed.data() + pos + 4);
    if (length > fixed.size() - pos - kFrameHeaderBytes) break;
    store_be32(fixed.data() + pos, crc32c(fixed.data() + pos + 4, 4 + size_t(length)));
    pos += kFrameHeaderBytes + length;
  }
  return fixed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check({data, size});
  const Bytes fixed = with_crcs_fixed({data, size});
  check(fixed);
  return 0;
}
