// Avro binary decoding with writer→reader resolution: hand-written byte vectors
// from the specification's "Binary Encoding" section, each resolution rule, the
// JSON form of logical types, and every malformed input refused with a reason
// naming the field path.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "avro/binary_decoder.h"

namespace sluice::avro {
namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s += char(c);
  return s;
}

std::string decode(const std::string& writer, const std::string& reader, const std::string& data) {
  Schema w = Schema::parse(writer), r = Schema::parse(reader);
  return BinaryDecoder(w, r).decode(data);
}
std::string decode(const std::string& schema, const std::string& data) {
  return decode(schema, schema, data);
}

std::string error_of(const std::string& writer, const std::string& reader,
                     const std::string& data) {
  try {
    decode(writer, reader, data);
  } catch (const DecodeError& e) {
    return e.what();
  }
  return "no error";
}

TEST(AvroBinaryDecoder, SpecificationVectors) {
  EXPECT_EQ(decode(R"("long")", bytes({0x02})), "1");
  EXPECT_EQ(decode(R"("long")", bytes({0x01})), "-1");
  EXPECT_EQ(decode(R"("long")", bytes({0x80, 0x01})), "64");
  EXPECT_EQ(decode(R"("int")", bytes({0x7f})), "-64");
  EXPECT_EQ(decode(R"("string")", bytes({0x06, 'f', 'o', 'o'})), R"("foo")");
  EXPECT_EQ(decode(R"("boolean")", bytes({0x01})), "true");
  EXPECT_EQ(decode(R"("null")", ""), "null");
  EXPECT_EQ(decode(R"("double")", bytes({0, 0, 0, 0, 0, 0, 0xf8, 0x3f})), "1.5");
  EXPECT_EQ(decode(R"("float")", bytes({0, 0, 0xc0, 0x3f})), "1.5");
  // The specification's record example: {"a": 27, "b": "foo"} is 36 06 66 6f 6f.
  EXPECT_EQ(decode(R"({"type":"record","name":"test","fields":[{"name":"a","type":"long"},
                       {"name":"b","type":"string"}]})",
                   bytes({0x36, 0x06, 'f', 'o', 'o'})),
            R"({"a":27,"b":"foo"})");
  // Array of longs 3, 27: 04 06 36 00; and the same as a negative-count block with its size.
  EXPECT_EQ(decode(R"({"type":"array","items":"long"})", bytes({0x04, 0x06, 0x36, 0x00})),
            "[3,27]");
  EXPECT_EQ(decode(R"({"type":"array","items":"long"})", bytes({0x03, 0x04, 0x06, 0x36, 0x00})),
            "[3,27]");
  // Union ["null","string"]: null is 00; "a" is 02 02 61.
  EXPECT_EQ(decode(R"(["null","string"])", bytes({0x00})), "null");
  EXPECT_EQ(decode(R"(["null","string"])", bytes({0x02, 0x02, 'a'})), R"("a")");
  EXPECT_EQ(decode(R"({"type":"map","values":"int"})", bytes({0x02, 0x02, 'k', 0x04, 0x00})),
            R"({"k":2})");
  EXPECT_EQ(decode(R"({"type":"enum","name":"E","symbols":["A","B"]})", bytes({0x02})), R"("B")");
  EXPECT_EQ(decode(R"({"type":"fixed","name":"F","size":2})", bytes({0x41, 0xff})),
            "\"A\xc3\xbf\"");
}

TEST(AvroBinaryDecoder, LogicalTypes) {
  EXPECT_EQ(decode(R"({"type":"long","logicalType":"timestamp-millis"})", bytes({0x02})),
            R"("1970-01-01T00:00:00.001Z")");
  EXPECT_EQ(decode(R"({"type":"long","logicalType":"timestamp-micros"})", bytes({0x01})),
            R"("1969-12-31T23:59:59.999999Z")");
  EXPECT_EQ(decode(R"({"type":"int","logicalType":"date"})", bytes({0x02})), R"("1970-01-02")");
  // Unscaled -1250 (0xFB1E) with scale 2 is -12.50.
  EXPECT_EQ(decode(R"({"type":"bytes","logicalType":"decimal","precision":6,"scale":2})",
                   bytes({0x04, 0xfb, 0x1e})),
            R"("-12.50")");
  EXPECT_EQ(decode(R"({"type":"string","logicalType":"uuid"})", bytes({0x02, 'x'})), R"("x")");
  // Outside years 1-9999 (no four-digit ISO-8601 year), dates and timestamps stay numbers.
  EXPECT_EQ(decode(R"({"type":"int","logicalType":"date"})", bytes({0xff, 0xff, 0xff, 0xff, 0x0f})),
            "-2147483648");
  EXPECT_EQ(decode(R"({"type":"long","logicalType":"timestamp-millis"})",
                   bytes({0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})),
            "9223372036854775807");
}

TEST(AvroBinaryDecoder, Resolution) {
  const std::string w =
      R"({"type":"record","name":"Tick","fields":[{"name":"old","type":"string"},
          {"name":"price","type":"int"},{"name":"side","type":{"type":"enum","name":"Side",
          "symbols":["BUY","SELL","CROSS"]}}]})";
  const std::string r =
      R"({"type":"record","name":"Tick","fields":[{"name":"venue","type":"string","default":"ASX"},
          {"name":"cost","aliases":["price"],"type":"double"},{"name":"side","type":{"type":"enum",
          "name":"Side","symbols":["BUY","SELL","OTHER"],"default":"OTHER"}}]})";
  EXPECT_EQ(decode(w, r, bytes({0x02, 'z', 0x06, 0x04})),
            R"({"venue":"ASX","cost":3,"side":"OTHER"})");
  EXPECT_EQ(decode(R"("int")", R"("float")", bytes({0x03})), "-2");
  EXPECT_EQ(decode(R"("long")", R"(["null","double"])", bytes({0x04})), "2");
  EXPECT_EQ(decode(R"("string")", R"("bytes")", bytes({0x02, 'a'})), R"("a")");
  EXPECT_EQ(decode(R"(["null","int"])", R"("long")", bytes({0x02, 0x04})), "2");
}

// One decoder (one plan) for many data on two threads at once, as avro-decode
// keeps one per schema id: the plan holds the resolution, so nothing is worked
// out per datum, and every datum decodes the same on either thread.
TEST(AvroBinaryDecoder, OneDecoderServesManyDataOnManyThreads) {
  const Schema w = Schema::parse(R"({"type":"record","name":"Old","fields":[
      {"name":"a","type":"int"},{"name":"legs","type":{"type":"array","items":{"type":"record",
      "name":"Leg","fields":[{"name":"q","type":"int"},{"name":"gone","type":"string"}]}}}]})");
  const Schema r = Schema::parse(R"({"type":"record","name":"New","aliases":["Old"],"fields":[
      {"name":"b","aliases":["a"],"type":"long"},{"name":"legs","type":{"type":"array","items":{
      "type":"record","name":"Leg","fields":[{"name":"q","type":"double"},
      {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"},"default":1500}]}}},
      {"name":"venue","type":"string","default":"ASX"}]})");
  const BinaryDecoder decoder(w, r);
  EXPECT_FALSE(decoder.plan().field_maps.empty());
  EXPECT_EQ(decoder.plan().defaults.size(), 2u);  // at and venue
  const std::string datum = bytes({0x04, 0x02, 0x06, 0x02, 'x', 0x00});
  const std::string want =
      R"({"b":2,"legs":[{"q":3,"at":"1970-01-01T00:00:01.500Z"}],"venue":"ASX"})";
  std::atomic<int> wrong{0};
  auto run = [&] {
    for (int i = 0; i < 2000; ++i)
      if (decoder.decode(datum) != want) ++wrong;
  };
  std::thread other(run);
  run();
  other.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(decoder.decode(datum), want);
}

TEST(AvroBinaryDecoder, MalformedInputNamesThePath) {
  const std::string rec =
      R"({"type":"record","name":"T","fields":[{"name":"sym","type":"string"},
          {"name":"price","type":"double"}]})";
  EXPECT_NE(error_of(rec, rec, bytes({0x02, 'A', 0x00})).find("$.price"), std::string::npos);
  EXPECT_NE(error_of(rec, rec, bytes({0x02, 'A', 0x00})).find("truncated"), std::string::npos);
  EXPECT_NE(error_of(rec, rec, bytes({0x03})).find("$.sym"), std::string::npos);
  EXPECT_NE(error_of(rec, rec, bytes({0x03})).find("negative length"), std::string::npos);
  EXPECT_NE(error_of(rec, rec, bytes({0x7e})).find("needs 63 bytes"), std::string::npos);
  EXPECT_NE(error_of(R"("long")", R"("long")", std::string(11, char(0xff))).find("longer than 10"),
            std::string::npos);
  EXPECT_NE(
      error_of(R"("int")", R"("int")", bytes({0xff, 0xff, 0xff, 0xff, 0x1f})).find("overflows"),
      std::string::npos);
  EXPECT_NE(error_of(R"(["null","int"])", R"(["null","int"])", bytes({0x04})).find("out of range"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"type":"enum","name":"E","symbols":["A"]})",
                     R"({"type":"enum","name":"E","symbols":["A"]})", bytes({0x02}))
                .find("enum index 1"),
            std::string::npos);
  EXPECT_NE(error_of(R"("long")", R"("long")", bytes({0x02, 0x02})).find("left over"),
            std::string::npos);
  // A huge item count with no bytes behind it is refused before any allocation.
  const std::string arr = R"({"type":"array","items":"long"})";
  EXPECT_NE(error_of(arr, arr, bytes({0xfe, 0xff, 0xff, 0xff, 0x0f})).find("cannot fit"),
            std::string::npos);
  const std::string nulls = R"({"type":"array","items":"null"})";
  EXPECT_NE(error_of(nulls, nulls, bytes({0xfe, 0xff, 0xff, 0xff, 0x0f})).find("cannot fit"),
            std::string::npos);
  // Items that take no bytes are capped per datum: 2^20 decode, one more does not.
  const std::string max = bytes({0x80, 0x80, 0x80, 0x01, 0x00});  // a block of 2^20, then the end
  EXPECT_NO_THROW(decode(nulls, max));
  EXPECT_NE(error_of(nulls, nulls, bytes({0x80, 0x80, 0x80, 0x01, 0x02, 0x00})).find("cannot fit"),
            std::string::npos);
  const std::string strs = R"({"type":"array","items":"string"})";
  EXPECT_NE(error_of(strs, strs, bytes({0x02, 0x04, 0x61})).find("$[0]"), std::string::npos);
  EXPECT_NE(error_of(R"("string")", R"("string")", bytes({0x02, 0xff})).find("UTF-8"),
            std::string::npos);
  // Recursion: a linked list nested past the limit.
  const std::string list =
      R"({"type":"record","name":"L","fields":[{"name":"next","type":["null","L"]}]})";
  EXPECT_NE(error_of(list, list, std::string(300, char(0x02))).find("deeper than"),
            std::string::npos);
  EXPECT_EQ(decode(list, bytes({0x02, 0x00})), R"({"next":{"next":null}})");
  // Unresolvable: the reader's int cannot read the writer's string.
  EXPECT_NE(error_of(R"("string")", R"("int")", bytes({0x00})).find("cannot read"),
            std::string::npos);
}

}  // namespace
}  // namespace sluice::avro
