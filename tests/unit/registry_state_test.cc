// The schema registry's state driven as the registry drives it: every proposal
// goes through the `_schemas` record format (key and value JSON, parsed back)
// before apply(), as if read back from the topic. Error codes and messages are
// Confluent Schema Registry's.
#include "registry/registry_state.h"

#include <gtest/gtest.h>

namespace sluice::registry {
namespace {

const std::string kTickV1 =
    R"({"type":"record","name":"Tick","namespace":"asx","fields":[{"name":"symbol","type":"string"},{"name":"price","type":"double"}]})";
const std::string kTickV2Required =
    R"({"type":"record","name":"Tick","namespace":"asx","fields":[{"name":"symbol","type":"string"},{"name":"price","type":"double"},{"name":"venue","type":"string"}]})";
const std::string kTickV2Default =
    R"({"type":"record","name":"Tick","namespace":"asx","fields":[{"name":"symbol","type":"string"},{"name":"price","type":"double"},{"name":"venue","type":"string","default":"ASX"}]})";

class Registry : public ::testing::Test {
 protected:
  // Appends and reads back a record, as the topic would.
  void round_trip(const RegistryRecord& r) {
    auto value = r.value_json();
    state.apply(RegistryRecord::parse(
        r.key_json(), value ? std::optional<std::string_view>(*value) : std::nullopt));
  }
  // POST /subjects/{s}/versions: the id, or the error.
  std::variant<int, RegistryError> register_schema(const std::string& subject,
                                                   const std::string& schema) {
    auto out = state.register_schema(subject, schema);
    if (auto* e = std::get_if<RegistryError>(&out)) return *e;
    if (auto* id = std::get_if<int>(&out)) return *id;
    const auto& record = std::get<RegistryRecord>(out);
    round_trip(record);
    return record.id;
  }
  int id_of(const std::string& subject, const std::string& schema) {
    auto r = register_schema(subject, schema);
    EXPECT_TRUE(std::holds_alternative<int>(r)) << std::get<RegistryError>(r).message;
    return std::holds_alternative<int>(r) ? std::get<int>(r) : -1;
  }
  RegistryError error_of(const std::variant<int, RegistryError>& r) {
    EXPECT_TRUE(std::holds_alternative<RegistryError>(r));
    return std::holds_alternative<RegistryError>(r) ? std::get<RegistryError>(r) : RegistryError{};
  }
  void delete_subject(const std::string& subject, bool permanent) {
    auto out = state.delete_versions(subject, std::nullopt, permanent);
    ASSERT_FALSE(std::holds_alternative<RegistryError>(out))
        << std::get<RegistryError>(out).message;
    for (const auto& r : std::get<0>(out).first) round_trip(r);
  }

  RegistryState state;
};

TEST_F(Registry, IdentifiesASchemaByItsCanonicalFormAcrossSubjects) {
  const int id = id_of("market.ticks.asx-value", kTickV1);
  EXPECT_EQ(id, 1);
  EXPECT_EQ(id_of("market.ticks.asx-value", kTickV1), id) << "registering again changes nothing";
  // The same schema with other whitespace, docs and in another subject: the same id.
  const std::string respelled =
      R"({ "name":"Tick", "namespace":"asx", "doc":"a tick", "type":"record",
           "fields":[{"name":"symbol","type":{"type":"string"}},{"name":"price","type":"double"}]})";
  EXPECT_EQ(id_of("other-value", respelled), id);
  EXPECT_EQ(std::get<std::vector<int>>(state.versions("market.ticks.asx-value")),
            std::vector<int>{1});
  EXPECT_EQ(state.usages(id).size(), 2u);
}

TEST_F(Registry, TheRunbooksScenarioThreeRefusesThenAcceptsThenRestores) {
  const std::string subject = "market.ticks.asx-value";
  id_of(subject, kTickV1);
  // An incompatible schema is refused with 409 and the reason.
  RegistryError refused = error_of(register_schema(subject, kTickV2Required));
  EXPECT_EQ(refused.http_status, 409);
  EXPECT_EQ(refused.error_code, 409);
  EXPECT_NE(refused.message.find("$.Tick.venue: the reader's field has no default"),
            std::string::npos)
      << refused.message;
  // The corrected one, with a default, is accepted as version 2.
  EXPECT_EQ(id_of(subject, kTickV2Default), 2);
  EXPECT_EQ(std::get<SchemaVersion>(state.version(subject, -1)).version, 2);
  // Deleted (soft), the subject is gone from the list, and found again once re-registered.
  delete_subject(subject, false);
  EXPECT_TRUE(state.subjects().empty());
  EXPECT_EQ(std::get<RegistryError>(state.version(subject, -1)).error_code, 40401);
  EXPECT_EQ(id_of(subject, kTickV1), 1);
  EXPECT_EQ(state.subjects(), std::vector<std::string>{subject});
  auto latest = std::get<SchemaVersion>(state.version(subject, -1));
  EXPECT_EQ(latest.version, 3) << "version numbers go on after a soft delete";
  EXPECT_EQ(latest.id, 1) << "the schema keeps its id";
}

TEST_F(Registry, DeletesSoftThenPermanentlyWithConfluentsErrors) {
  const std::string subject = "s-value";
  id_of(subject, kTickV1);
  id_of(subject, kTickV2Default);
  auto not_first = state.delete_versions(subject, 1, /*permanent=*/true);
  EXPECT_EQ(std::get<RegistryError>(not_first).error_code, 40407);
  auto soft = state.delete_versions(subject, 1, false);
  for (const auto& r : std::get<0>(soft).first) round_trip(r);
  EXPECT_EQ(std::get<RegistryError>(state.delete_versions(subject, 1, false)).error_code, 40406);
  EXPECT_EQ(std::get<RegistryError>(state.version(subject, 1)).error_code, 40402);
  EXPECT_EQ(std::get<SchemaVersion>(state.version(subject, 1, true)).deleted, true);
  EXPECT_EQ(std::get<RegistryError>(state.delete_versions(subject, std::nullopt, true)).error_code,
            40405)
      << "version 2 is not soft-deleted yet";
  delete_subject(subject, false);
  EXPECT_EQ(std::get<RegistryError>(state.delete_versions(subject, std::nullopt, false)).error_code,
            40404);
  delete_subject(subject, true);
  EXPECT_EQ(std::get<RegistryError>(state.versions(subject, true)).error_code, 40401);
  EXPECT_EQ(std::get<SchemaVersion>(state.schema_by_id(1)).schema, kTickV1)
      << "an id keeps naming its schema";
  EXPECT_EQ(std::get<RegistryError>(state.schema_by_id(9)).error_code, 40403);
}

TEST_F(Registry, CompatibilityIsPerSubjectOverTheGlobalLevel) {
  EXPECT_EQ(state.compatibility(std::nullopt), avro::Compatibility::kBackward);
  RegistryRecord none;
  none.type = RegistryRecord::Type::kConfig;
  none.subject = "free-value";
  none.compatibility = avro::Compatibility::kNone;
  round_trip(none);
  id_of("free-value", kTickV1);
  EXPECT_EQ(id_of("free-value", kTickV2Required), 2) << "NONE accepts anything";
  id_of("strict-value", kTickV1);
  EXPECT_EQ(error_of(register_schema("strict-value", kTickV2Required)).http_status, 409);
  auto reasons = state.check("strict-value", -1, kTickV2Required);
  EXPECT_EQ(std::get<std::vector<std::string>>(reasons).size(), 1u);
  EXPECT_TRUE(
      std::get<std::vector<std::string>>(state.check("strict-value", -1, kTickV2Default)).empty());
  RegistryRecord reset = none;
  reset.tombstone = true;
  round_trip(reset);
  EXPECT_EQ(state.compatibility("free-value"), avro::Compatibility::kBackward);
}

TEST_F(Registry, RefusesAnInvalidSchemaWith42201) {
  RegistryError e = error_of(register_schema("s", R"({"type":"record","name":"r"})"));
  EXPECT_EQ(e.error_code, 42201);
  EXPECT_NE(e.message.find("needs a \"fields\" list"), std::string::npos) << e.message;
}

}  // namespace
}  // namespace sluice::registry
