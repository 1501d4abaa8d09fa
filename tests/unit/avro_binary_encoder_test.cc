// JSON → Avro binary: the specification's byte vectors, round trips through
// the decoder (encode then decode gives the JSON back), defaults, and errors
// naming the field path.
#include <gtest/gtest.h>

#include "avro/binary_decoder.h"
#include "avro/binary_encoder.h"

namespace sluice::avro {
namespace {

std::string hex(const std::string& b) {
  std::string out;
  char buf[4];
  for (unsigned char c : b) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    out += buf;
  }
  return out;
}

std::string enc(const std::string& schema, const std::string& json) {
  return hex(encode_json(Schema::parse(schema), json));
}

void round_trip(const std::string& schema, const std::string& json) {
  Schema s = Schema::parse(schema);
  EXPECT_EQ(BinaryDecoder(s, s).decode(encode_json(s, json)), json) << schema;
}

std::string error_of(const std::string& schema, const std::string& json) {
  try {
    encode_json(Schema::parse(schema), json);
  } catch (const EncodeError& e) {
    return e.what();
  }
  return "no error";
}

TEST(AvroBinaryEncoder, SpecificationVectors) {
  EXPECT_EQ(enc(R"("long")", "1"), "02");
  EXPECT_EQ(enc(R"("long")", "-1"), "01");
  EXPECT_EQ(enc(R"("long")", "64"), "8001");
  EXPECT_EQ(enc(R"("int")", "-64"), "7f");
  EXPECT_EQ(enc(R"("string")", R"("foo")"), "06666f6f");
  EXPECT_EQ(enc(R"({"type":"record","name":"test","fields":[{"name":"a","type":"long"},
                    {"name":"b","type":"string"}]})",
                R"({"a":27,"b":"foo"})"),
            "3606666f6f");
  EXPECT_EQ(enc(R"({"type":"array","items":"long"})", "[3,27]"), "04063600");
  EXPECT_EQ(enc(R"(["null","string"])", "null"), "00");
  EXPECT_EQ(enc(R"(["null","string"])", R"("a")"), "020261");
  EXPECT_EQ(
      enc(R"({"type":"bytes","logicalType":"decimal","precision":6,"scale":2})", R"("-12.5")"),
      "04fb1e");
}

TEST(AvroBinaryEncoder, RoundTrips) {
  round_trip(R"("double")", "1.5");
  round_trip(R"("double")", R"("NaN")");
  round_trip(R"("float")", "-0.0");
  round_trip(R"("double")", "2.3611832414348226e+21");
  round_trip(R"("double")", "5e-324");
  round_trip(R"("float")", "0.1");
  round_trip(R"("long")", "-9223372036854775808");
  round_trip(R"("bytes")", "\"\\u0000A\xc3\xbf\"");
  round_trip(R"({"type":"long","logicalType":"timestamp-millis"})",
             R"("2026-01-05T10:00:00.123Z")");
  round_trip(R"({"type":"long","logicalType":"timestamp-micros"})",
             R"("1969-12-31T23:59:59.999999Z")");
  round_trip(R"({"type":"int","logicalType":"date"})", R"("2026-02-28")");
  round_trip(R"({"type":"bytes","logicalType":"decimal","precision":20,"scale":3})",
             R"("-123456789012.345")");
  round_trip(
      R"({"type":"fixed","name":"D","size":8,"logicalType":"decimal","precision":10,"scale":2})",
      R"("-0.01")");
  round_trip(R"({"type":"record","name":"Tick","namespace":"asx","fields":[
      {"name":"symbol","type":"string"},{"name":"price","type":["null","double"]},
      {"name":"side","type":{"type":"enum","name":"Side","symbols":["BUY","SELL"]}},
      {"name":"legs","type":{"type":"array","items":{"type":"record","name":"Leg","fields":[
        {"name":"qty","type":"long"}]}}},
      {"name":"tags","type":{"type":"map","values":"string"}},
      {"name":"next","type":["null","Tick"]}]})",
             R"({"symbol":"BHP","price":45.5,"side":"SELL","legs":[{"qty":1},{"qty":-2}],)"
             R"("tags":{"a":"b"},"next":{"symbol":"CBA","price":null,"side":"BUY","legs":[],)"
             R"("tags":{},"next":null}})");
}

TEST(AvroBinaryEncoder, DefaultsFillMissingFieldsAndReaderOnlyFields) {
  const std::string s =
      R"({"type":"record","name":"T","fields":[{"name":"a","type":"int","default":7},
          {"name":"u","type":["null","string"],"default":null},
          {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"},"default":0}]})";
  EXPECT_EQ(enc(s, "{}"), "0e0000");
  // A reader-only field's default appears in the decoder's JSON form.
  Schema w = Schema::parse(R"({"type":"record","name":"T","fields":[]})");
  Schema r = Schema::parse(s);
  EXPECT_EQ(BinaryDecoder(w, r).decode(""), R"({"a":7,"u":null,"at":"1970-01-01T00:00:00Z"})");
}

TEST(AvroBinaryEncoder, ErrorsNameTheFieldPath) {
  const std::string s = R"({"type":"record","name":"T","fields":[{"name":"price","type":"double"},
      {"name":"legs","type":{"type":"array","items":"int"}}]})";
  EXPECT_NE(error_of(s, R"({"price":"x","legs":[]})").find("$.price"), std::string::npos);
  EXPECT_NE(error_of(s, R"({"price":1,"legs":[1,4294967296]})").find("$.legs[1]"),
            std::string::npos);
  EXPECT_NE(error_of(s, R"({"legs":[]})").find("no default"), std::string::npos);
  EXPECT_NE(error_of(s, R"({"price":1,"legs":[],"x":1})").find("no field \"x\""),
            std::string::npos);
  EXPECT_NE(error_of(s, "{").find("not JSON"), std::string::npos);
  EXPECT_NE(error_of(R"(["null","int"])", R"("s")").find("union's branches (null, int)"),
            std::string::npos);
}

}  // namespace
}  // namespace sluice::avro
