// The spill segment's bytes are the ones docs/formats/spill-segment.md describes.
#include "pipeline/spill/spill_format.h"

#include <gtest/gtest.h>

#include "common/crc32c.h"

namespace sluice::pipeline::spill {
namespace {

// An entry assembled field by field from the format page's tables.
Bytes documented_entry() {
  Bytes body;
  ByteWriter w(body);
  w.i64(42);                 // offset
  w.i64(1'700'000'000'000);  // timestamp
  w.i8(1);                   // flags: key present, value not null
  w.u32(1);
  w.raw(std::string_view("k"));  // key
  w.u32(2);
  w.raw(std::string_view("{}"));  // value
  w.u32(2);
  w.raw(std::string_view("t1"));  // trace_id
  w.u32(1);                       // header_count
  w.u32(1);
  w.raw(std::string_view("h"));
  w.u32(1);
  w.raw(std::string_view("v"));
  Bytes framed;
  ByteWriter f(framed);
  f.u32(uint32_t(body.size()));
  f.raw(body);
  Bytes entry;
  ByteWriter e(entry);
  e.u32(crc32c(framed.data(), framed.size()));  // crc of length and body
  e.raw(framed);
  return entry;
}

Record documented_record() {
  Record r;
  r.offset = 42;
  r.timestamp_ms = 1'700'000'000'000;
  r.key = "k";
  r.value = "{}";
  r.trace_id = "t1";
  r.headers = {{"h", "v"}};
  return r;
}

TEST(SpillFormat, AnEntryIsEncodedAsTheFormatPageSays) {
  Bytes encoded;
  encode_entry(documented_record(), encoded);
  EXPECT_EQ(encoded, documented_entry());
  EXPECT_EQ(entry_bytes(documented_record()), encoded.size());
}

TEST(SpillFormat, ADocumentedSegmentScansAndDecodesBack) {
  Bytes segment(kSegmentMagic.begin(), kSegmentMagic.end());
  const Bytes entry = documented_entry();
  segment.insert(segment.end(), entry.begin(), entry.end());
  const SegmentScan scan = scan_segment(segment, -1);
  EXPECT_EQ(scan.error, "");
  EXPECT_EQ(scan.entries, 1);
  EXPECT_EQ(scan.valid_bytes, segment.size());
  const DecodedEntry decoded = decode_entry(entry);
  EXPECT_EQ(decoded.record.offset, 42);
  EXPECT_EQ(decoded.record.key, "k");
  EXPECT_EQ(decoded.record.value, "{}");
  EXPECT_EQ(decoded.record.trace_id, "t1");
  EXPECT_EQ(decoded.record.headers, documented_record().headers);
}

TEST(SpillFormat, ATombstoneHasFlagBitOneAndAnEmptyValue) {
  Record tombstone = documented_record();
  tombstone.key.reset();
  tombstone.value.clear();
  tombstone.null_value = true;
  Bytes encoded;
  encode_entry(tombstone, encoded);
  EXPECT_EQ(encoded[kFrameHeaderBytes + 16], 2) << "flags: no key, null value";
  EXPECT_TRUE(decode_entry(encoded).record.null_value);
}

TEST(SpillFormat, TheScanStopsAtTheFirstBadEntryAndSaysWhy) {
  Bytes segment(kSegmentMagic.begin(), kSegmentMagic.end());
  Record r = documented_record();
  encode_entry(r, segment);
  const size_t first_end = segment.size();
  r.offset = 41;  // not above 42
  encode_entry(r, segment);
  SegmentScan scan = scan_segment(segment, -1);
  EXPECT_EQ(scan.entries, 1);
  EXPECT_EQ(scan.valid_bytes, first_end);
  EXPECT_NE(scan.error.find("offset 41 is not above 42"), std::string::npos) << scan.error;

  segment.resize(first_end + 3);  // a torn frame header
  scan = scan_segment(segment, -1);
  EXPECT_EQ(scan.valid_bytes, first_end);
  EXPECT_NE(scan.error.find("truncated"), std::string::npos) << scan.error;

  EXPECT_EQ(scan_segment(Bytes{'S', 'L'}, -1).valid_bytes, 0u) << "no magic: nothing valid";
}

}  // namespace
}  // namespace sluice::pipeline::spill
