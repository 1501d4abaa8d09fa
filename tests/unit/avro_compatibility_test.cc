// Avro schema resolution (the specification's "Schema Resolution") and the
// registry's compatibility levels: each rule in a pair of schemas that follows
// it and one that breaks it, with the reason the check gives.
#include <gtest/gtest.h>

#include "avro/compatibility.h"

namespace sluice::avro {
namespace {

Schema tick(const std::string& extra_fields = "") {
  return Schema::parse(R"({"type":"record","name":"Tick","namespace":"asx","fields":[
      {"name":"symbol","type":"string"},{"name":"price","type":"double"},
      {"name":"volume","type":"int"})" +
                       extra_fields + "]}");
}

std::string joined(const std::vector<std::string>& reasons) {
  std::string out;
  for (const auto& r : reasons) out += r + "\n";
  return out;
}

TEST(AvroResolution, PrimitivesPromoteOnlyWhereTheSpecificationSays) {
  auto s = [](const char* t) { return Schema::parse(std::string("\"") + t + "\""); };
  EXPECT_TRUE(can_read(s("long"), s("int")).empty());
  EXPECT_TRUE(can_read(s("double"), s("int")).empty());
  EXPECT_TRUE(can_read(s("double"), s("float")).empty());
  EXPECT_TRUE(can_read(s("bytes"), s("string")).empty());
  EXPECT_TRUE(can_read(s("string"), s("bytes")).empty());
  EXPECT_EQ(joined(can_read(s("int"), s("long"))),
            "$: the reader's int cannot read the writer's long\n");
  EXPECT_FALSE(can_read(s("float"), s("double")).empty());
  EXPECT_FALSE(can_read(s("boolean"), s("int")).empty());
}

TEST(AvroResolution, ANewFieldNeedsADefault) {
  EXPECT_TRUE(
      can_read(tick(R"(,{"name":"venue","type":"string","default":"ASX"})"), tick()).empty());
  EXPECT_EQ(joined(can_read(tick(R"(,{"name":"venue","type":"string"})"), tick())),
            "$.Tick.venue: the reader's field has no default and the writer's record has no "
            "such field (give it a default)\n");
  // A field the reader dropped is skipped.
  EXPECT_TRUE(can_read(tick(), tick(R"(,{"name":"venue","type":"string"})")).empty());
}

TEST(AvroResolution, RecordsAndFieldsMatchByNameOrReaderAlias) {
  Schema writer =
      Schema::parse(R"({"type":"record","name":"a.Old","fields":[{"name":"px","type":"int"}]})");
  Schema renamed = Schema::parse(
      R"({"type":"record","name":"b.New","aliases":["a.Old"],"fields":[{"name":"price","type":"long","aliases":["px"]}]})");
  EXPECT_TRUE(can_read(renamed, writer).empty()) << joined(can_read(renamed, writer));
  Schema other =
      Schema::parse(R"({"type":"record","name":"b.New","fields":[{"name":"px","type":"int"}]})");
  EXPECT_NE(joined(can_read(other, writer)).find("is not the writer's record a.Old"),
            std::string::npos);
}

TEST(AvroResolution, EnumsUnionsAndFixed) {
  Schema ab = Schema::parse(R"({"type":"enum","name":"Side","symbols":["A","B"]})");
  Schema abc = Schema::parse(R"({"type":"enum","name":"Side","symbols":["A","B","C"]})");
  Schema ab_default =
      Schema::parse(R"({"type":"enum","name":"Side","symbols":["A","B"],"default":"A"})");
  EXPECT_TRUE(can_read(abc, ab).empty());
  EXPECT_EQ(
      joined(can_read(ab, abc)),
      "$: the writer's enum symbol C is not in the reader's enum Side, which has no default\n");
  EXPECT_TRUE(can_read(ab_default, abc).empty());

  Schema opt_int = Schema::parse(R"(["null","int"])");
  Schema opt_long = Schema::parse(R"(["null","long","string"])");
  EXPECT_TRUE(can_read(opt_long, opt_int).empty());
  EXPECT_TRUE(can_read(opt_long, Schema::parse(R"("int")")).empty());
  EXPECT_NE(joined(can_read(opt_int, opt_long)).find("string matches no branch"),
            std::string::npos);
  EXPECT_TRUE(can_read(Schema::parse(R"("long")"), opt_int).size() == 1)
      << "the writer's null branch cannot be read as a long";

  Schema f16 = Schema::parse(R"({"type":"fixed","name":"Id","size":16})");
  Schema f8 = Schema::parse(R"({"type":"fixed","name":"Id","size":8})");
  EXPECT_EQ(joined(can_read(f16, f8)), "$: fixed Id has size 16 but the writer's has 8\n");
}

TEST(AvroResolution, RecursiveSchemasTerminate) {
  Schema list = Schema::parse(
      R"({"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"]}]})");
  Schema wider = Schema::parse(
      R"({"type":"record","name":"Node","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","Node"]}]})");
  EXPECT_TRUE(can_read(wider, list).empty());
  EXPECT_FALSE(can_read(list, wider).empty());
}

TEST(Compatibility, LevelsCheckTheRightDirectionAgainstTheRightVersions) {
  Schema v1 = tick();
  Schema v2 = tick(R"(,{"name":"venue","type":"string","default":"ASX"})");
  Schema v3_required = tick(R"(,{"name":"venue","type":"string"},{"name":"seq","type":"long"})");
  std::vector<const Schema*> one{&v1};
  // BACKWARD: the new schema reads the latest's data.
  EXPECT_TRUE(check_compatibility(Compatibility::kBackward, v2, one).empty());
  EXPECT_FALSE(check_compatibility(Compatibility::kBackward, v3_required, one).empty());
  // FORWARD: the latest reads the new schema's data (a removed field needs a default).
  EXPECT_TRUE(check_compatibility(Compatibility::kForward, v3_required, one).empty());
  EXPECT_TRUE(check_compatibility(Compatibility::kFull, v2, one).empty());
  EXPECT_FALSE(check_compatibility(Compatibility::kFull, v3_required, one).empty());
  EXPECT_TRUE(check_compatibility(Compatibility::kNone, v3_required, one).empty());

  // Transitive: against every version, not only the latest.
  Schema a = Schema::parse(R"({"type":"record","name":"R","fields":[{"name":"x","type":"int"}]})");
  Schema b = Schema::parse(R"({"type":"record","name":"R","fields":[]})");
  Schema c = Schema::parse(
      R"({"type":"record","name":"R","fields":[{"name":"x","type":"string","default":""}]})");
  std::vector<const Schema*> history{&a, &b};
  EXPECT_TRUE(check_compatibility(Compatibility::kBackward, c, history).empty());
  auto reasons = check_compatibility(Compatibility::kBackwardTransitive, c, history);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0],
            "the new schema cannot read data written with version 1 of 2: $.R.x: the reader's "
            "string cannot read the writer's int");
}

TEST(Compatibility, LevelNamesAreConfluents) {
  for (const char* name : {"NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD",
                           "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"}) {
    auto level = parse_compatibility(name);
    ASSERT_TRUE(level.has_value()) << name;
    EXPECT_STREQ(compatibility_name(*level), name);
  }
  EXPECT_FALSE(parse_compatibility("backward").has_value());
}

}  // namespace
}  // namespace sluice::avro
