// Avro schemas: parsing as the specification's "Schema Declaration" and "Names"
// sections say, and the Parsing Canonical Form with its CRC-64-AVRO
// fingerprint, checked against the specification's own test vectors
// (share/test/data/schema-tests.txt in the Avro repository: input, canonical
// form, fingerprint as a signed 64-bit integer).
#include <gtest/gtest.h>

#include "avro/schema.h"

namespace sluice::avro {
namespace {

struct Vector {
  const char* input;
  const char* canonical;
  int64_t fingerprint;
};

const Vector kVectors[] = {
    {R"("null")", R"("null")", 7195948357588979594},
    {R"({"type":"boolean"})", R"("boolean")", -6970731678124411036},
    {R"("string")", R"("string")", -8142146995180207161},
    {R"([  ])", R"([])", -1241056759729112623},
    {R"([ "int" , {"type":"boolean"} ])", R"(["int","boolean"])", 5392556393470105090},
    {R"({"fields":[], "type":"record", "name":"foo", "namespace":"x.y"})",
     R"({"name":"x.y.foo","type":"record","fields":[]})", 5916914534497305771},
    {R"({"fields":[], "type":"record", "name":"a.b.foo", "namespace":"x.y"})",
     R"({"name":"a.b.foo","type":"record","fields":[]})", -4616218487480524110},
    {R"({"fields":[], "type":"record", "name":"foo", "doc":"foo", "aliases":["foo","bar"]})",
     R"({"name":"foo","type":"record","fields":[]})", -4824392279771201922},
    {R"({ "fields":[{"type":"boolean", "aliases":[], "name":"f1", "default":"true"},
                    {"order":"descending","name":"f2","doc":"Hello","type":"int"}],
          "type":"record", "name":"foo"})",
     R"({"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]})",
     -4860222112080293046},
    {R"({"namespace":"x.y.z", "type":"enum", "name":"foo", "doc":"foo bar", "symbols":["A1", "A2"]})",
     R"({"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]})", -4448647247586288245},
    {R"({"name":"foo","type":"fixed","size":15})", R"({"name":"foo","type":"fixed","size":15})",
     1756455273707447556},
    {R"({ "items":{"type":"null"}, "type":"array"})", R"({"type":"array","items":"null"})",
     -589620603366471059},
    {R"({ "values":"string", "type":"map"})", R"({"type":"map","values":"string"})",
     -8732877298790414990},
    {R"({"name":"PigValue","type":"record",
         "fields":[{"name":"value", "type":["null", "int", "long", "PigValue"]}]})",
     R"({"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]})",
     -1759257747318642341},
};

TEST(AvroSchema, CanonicalFormsAndFingerprintsMatchTheSpecificationsVectors) {
  for (const Vector& v : kVectors) {
    Schema s = Schema::parse(v.input);
    EXPECT_EQ(s.canonical_form(), v.canonical) << v.input;
    EXPECT_EQ(int64_t(s.fingerprint()), v.fingerprint) << v.input;
  }
}

TEST(AvroSchema, NamesTakeTheEnclosingNamespace) {
  Schema s = Schema::parse(R"({"type":"record","name":"Tick","namespace":"asx.market","fields":[
      {"name":"side","type":{"type":"enum","name":"Side","symbols":["BUY","SELL"]}},
      {"name":"again","type":"Side"},
      {"name":"other","type":{"type":"fixed","name":"x.Id","size":16}}]})");
  EXPECT_NE(s.find("asx.market.Tick"), nullptr);
  EXPECT_NE(s.find("asx.market.Side"), nullptr);
  EXPECT_NE(s.find("x.Id"), nullptr);
  const Node& again = *s.root().fields[1].type;
  EXPECT_EQ(again.kind, Kind::kReference);
  EXPECT_EQ(s.resolve(again).kind, Kind::kEnum);
}

TEST(AvroSchema, KeepsDefaultsAndLogicalTypes) {
  Schema s = Schema::parse(R"({"type":"record","name":"r","fields":[
      {"name":"ts","type":{"type":"long","logicalType":"timestamp-micros"}},
      {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":18,"scale":4}},
      {"name":"venue","type":"string","default":"ASX"},
      {"name":"n","type":["null","int"],"default":null}]})");
  EXPECT_EQ(s.root().fields[0].type->logical_type, "timestamp-micros");
  EXPECT_EQ(s.root().fields[1].type->precision, 18);
  EXPECT_EQ(s.root().fields[1].type->scale, 4);
  EXPECT_EQ(s.root().fields[2].default_json, "\"ASX\"");
  EXPECT_EQ(s.root().fields[3].default_json, "null");
  EXPECT_FALSE(s.root().fields[0].default_json.has_value());
  EXPECT_EQ(s.canonical_form(),
            R"({"name":"r","type":"record","fields":[{"name":"ts","type":"long"},)"
            R"({"name":"price","type":"bytes"},{"name":"venue","type":"string"},)"
            R"({"name":"n","type":["null","int"]}]})")
      << "logical types and defaults are not part of the canonical form";
}

TEST(AvroSchema, RefusesWhatTheSpecificationForbidsSayingWhere) {
  const std::pair<const char*, const char*> bad[] = {
      {R"("Unknown")", "unknown type \"Unknown\""},
      {R"(["int","int"])", "already has a int branch"},
      {R"([["int"]])", "may not directly contain a union"},
      {R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]})",
       "field \"a\" appears twice"},
      {R"({"type":"enum","name":"e","symbols":["A","A"]})", "repeats the symbol A"},
      {R"({"type":"enum","name":"e","symbols":["A"],"default":"B"})", "default B is not a symbol"},
      {R"({"type":"record","name":"9r","fields":[]})", "is not a valid Avro name"},
      {R"({"type":"fixed","name":"f"})", "needs a non-negative integer \"size\""},
      {R"({"type":"array"})", "needs \"items\""},
      {R"({"type":"bytes","logicalType":"decimal"})", "positive integer \"precision\""},
      {"{not json", "must be JSON"},
  };
  for (const auto& [schema, message] : bad) {
    try {
      Schema::parse(schema);
      ADD_FAILURE() << "accepted " << schema;
    } catch (const SchemaError& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos)
          << schema << " -> " << e.what();
    }
  }
}

}  // namespace
}  // namespace sluice::avro
