// `avro-decode` against a real schema registry served over HTTP on 127.0.0.1
// (the registry's own REST layer and HTTP server, its store in memory): values
// in Confluent's wire format decode to JSON on the first output, a pinned
// reader schema reads data of a newer compatible writer, and every bad value
// fails as a validation error with its reason.
#include "stages/avro_decode/avro_decode_processor.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "avro/binary_encoder.h"
#include "common/json.h"
#include "registry/registry_api.h"
#include "registry/registry_http_server.h"
#include "registry_round_trip_store.h"
#include "temp_dir.h"

namespace sluice::stages {
namespace {

const std::string kV1 = R"({"type":"record","name":"Tick","fields":[
  {"name":"symbol","type":"string"},{"name":"price","type":"double"}]})";
const std::string kV2 = R"({"type":"record","name":"Tick","fields":[
  {"name":"symbol","type":"string"},{"name":"price","type":"double"},
  {"name":"venue","type":"string","default":"ASX"}]})";

class AvroDecodeTest : public ::testing::Test {
 protected:
  sluice::testing::TempDir dir{"avro-decode"};

  void SetUp() override {
    server.start(api);
    url = "http://127.0.0.1:" + std::to_string(server.port());
  }

  int register_schema(const std::string& schema) {
    auto r = api.handle({.method = "POST",
                         .path = "/subjects/ticks-value/versions",
                         .query = {},
                         .body = "{\"schema\":" + json::quote(schema) + "}"});
    EXPECT_EQ(r.status, 200) << r.body;
    return std::stoi(r.body.substr(r.body.find(':') + 1));
  }

  static std::string frame(int id, const std::string& schema, const std::string& json) {
    std::string v(1, '\0');
    for (int shift : {24, 16, 8, 0}) v += char((id >> shift) & 0xFF);
    return v + avro::encode_json(avro::Schema::parse(schema), json);
  }

  AvroDecode make(const std::string& reader_schema = "", int cache_size = 0,
                  int unknown_recheck_ms = -1) {
    pipeline::ProcessorContext c;
    c.stage = "decode";
    c.processor = "avro-decode";
    c.outputs = {"ticks.json", "other"};
    c.metrics = &metrics;
    c.options["registry"] = url;
    if (cache_size > 0) c.options["schema_cache_size"] = cache_size;
    if (unknown_recheck_ms >= 0) c.options["unknown_id_recheck_ms"] = unknown_recheck_ms;
    if (!reader_schema.empty()) {
      // Its own directory: ctest runs this file's tests in parallel processes.
      const auto path = dir.path() / "reader.avsc";
      std::ofstream(path) << reader_schema;
      c.options["reader_schema"] = path.string();
    }
    return AvroDecode(c);
  }

  static pipeline::Record record(const std::string& value) {
    pipeline::Record r;
    r.topic = "ticks";
    r.key = "ASX.BHP";
    r.value = value;
    return r;
  }

  registry::RoundTripStore store;
  ops::MetricsRegistry metrics;
  registry::RegistryApi api{store, metrics};
  registry::RegistryHttpServer server{"127.0.0.1", 0};
  std::string url;
};

TEST_F(AvroDecodeTest, DecodesTheWireFormatWithTheWriterSchemaFromTheRegistry) {
  const int id = register_schema(kV1);
  AvroDecode p = make();
  auto out = p.process(record(frame(id, kV1, R"({"symbol":"BHP","price":45.5})")));
  ASSERT_TRUE(out.ok) << out.message;
  ASSERT_EQ(out.outputs.size(), 1u);
  EXPECT_EQ(out.outputs[0].topic, "ticks.json");
  EXPECT_EQ(out.outputs[0].key, "ASX.BHP");
  EXPECT_EQ(out.outputs[0].value, R"({"symbol":"BHP","price":45.5})");
}

TEST_F(AvroDecodeTest, APinnedOldReaderReadsDataOfANewerWriter) {
  register_schema(kV1);
  const int v2 = register_schema(kV2);
  AvroDecode p = make(kV1);
  auto out = p.process(record(frame(v2, kV2, R"({"symbol":"CBA","price":1,"venue":"CXA"})")));
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_EQ(out.outputs.at(0).value, R"({"symbol":"CBA","price":1})");
}

TEST_F(AvroDecodeTest, AReaderPinnedBySubjectAndVersionComesFromTheRegistry) {
  register_schema(kV1);
  const int v2 = register_schema(kV2);
  pipeline::ProcessorContext c;
  c.stage = "decode";
  c.outputs = {"ticks.json"};
  c.options["registry"] = url;
  c.options["reader_schema"]["subject"] = "ticks-value";
  c.options["reader_schema"]["version"] = 1;
  AvroDecode p(c);
  auto out = p.process(record(frame(v2, kV2, R"({"symbol":"CBA","price":2,"venue":"CXA"})")));
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_EQ(out.outputs.at(0).value, R"({"symbol":"CBA","price":2})");
  c.options["reader_schema"]["version"] = 7;
  try {
    AvroDecode missing(c);
    ADD_FAILURE() << "a missing version was accepted";
  } catch (const pipeline::OptionError& e) {
    EXPECT_NE(std::string(e.what()).find("version 7 of subject ticks-value is not in the registry"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(AvroDecodeTest, BadValuesFailAsValidationErrorsWithTheReason) {
  const int id = register_schema(kV1);
  AvroDecode p = make();
  auto expect = [&](const std::string& value, const std::string& reason) {
    auto out = p.process(record(value));
    EXPECT_FALSE(out.ok);
    EXPECT_EQ(out.category, pipeline::ErrorCategory::kValidation) << out.message;
    EXPECT_NE(out.message.find(reason), std::string::npos) << out.message;
  };
  expect("{\"symbol\":\"BHP\"}", "magic byte 0");
  expect(std::string("\0\0", 2), "fewer than the 5");
  expect(frame(9999, kV1, R"({"symbol":"BHP","price":1})"),
         "schema id 9999 is not in the registry");
  std::string truncated = frame(id, kV1, R"({"symbol":"BHP","price":1})");
  truncated.resize(truncated.size() - 3);
  expect(truncated, "$.price");
  // A pinned reader that cannot read the writer's data.
  const std::string other =
      R"({"type":"record","name":"Tick","fields":[{"name":"qty","type":"long"}]})";
  AvroDecode pinned = make(other);
  auto out = pinned.process(record(frame(id, kV1, R"({"symbol":"BHP","price":1})")));
  EXPECT_EQ(out.category, pipeline::ErrorCategory::kValidation);
  EXPECT_NE(out.message.find("cannot read data written with schema id"), std::string::npos)
      << out.message;
}

double schema_fetches(ops::MetricsRegistry& metrics) {
  return metrics.counter("sluice_avro_schema_fetches_total", "", {{"stage", "decode"}}).value();
}

TEST_F(AvroDecodeTest, AnIdIsLookedUpAndPlannedOnce) {
  register_schema(kV1);
  const int v2 = register_schema(kV2);
  AvroDecode p = make(kV1);
  const std::string tick = frame(v2, kV2, R"({"symbol":"CBA","price":1,"venue":"CXA"})");
  ASSERT_TRUE(p.process(record(tick)).ok);
  EXPECT_EQ(schema_fetches(metrics), 1);
  // With the registry gone, a second record of the same id still decodes: it asks nothing.
  server.stop();
  auto out = p.process(record(tick));
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_EQ(out.outputs.at(0).value, R"({"symbol":"CBA","price":1})");
  EXPECT_EQ(schema_fetches(metrics), 1);
}

TEST_F(AvroDecodeTest, TheCacheKeepsTheMostRecentlyUsedIds) {
  const int v1 = register_schema(kV1);
  const int v2 = register_schema(kV2);
  AvroDecode p = make("", 1);
  const std::string a = frame(v1, kV1, R"({"symbol":"BHP","price":1})");
  const std::string b = frame(v2, kV2, R"({"symbol":"CBA","price":2,"venue":"CXA"})");
  for (const auto* v : {&a, &a, &b, &b, &a}) ASSERT_TRUE(p.process(record(*v)).ok);
  EXPECT_EQ(schema_fetches(metrics), 3);  // a, b (a dropped), a again
}

TEST_F(AvroDecodeTest, AnUnknownIdIsAskedAgainOnlyAfterTheRecheckTime) {
  // Garbage that looks like the wire format names an id the registry does not have.
  const std::string garbage = frame(7, kV1, R"({"symbol":"BHP","price":1})");
  AvroDecode p = make("", 0, 60'000);
  for (int i = 0; i < 3; ++i) {
    auto out = p.process(record(garbage));
    EXPECT_EQ(out.category, pipeline::ErrorCategory::kValidation) << out.message;
    EXPECT_NE(out.message.find("7"), std::string::npos) << out.message;
  }
  EXPECT_EQ(schema_fetches(metrics), 1) << "the registry's answer kept for a minute";

  // With recheck 0, every record asks, so an id registered meanwhile decodes at once.
  AvroDecode eager = make("", 0, 0);
  EXPECT_FALSE(eager.process(record(frame(1, kV1, R"({"symbol":"BHP","price":1})"))).ok);
  const int id = register_schema(kV1);
  ASSERT_EQ(id, 1);
  auto out = eager.process(record(frame(id, kV1, R"({"symbol":"BHP","price":1})")));
  EXPECT_TRUE(out.ok) << out.message;
  EXPECT_EQ(schema_fetches(metrics), 3);
}

TEST_F(AvroDecodeTest, AnUnreachableRegistryIsTransient) {
  url = "http://127.0.0.1:1";
  AvroDecode p = make();
  auto out = p.process(record(frame(1, kV1, R"({"symbol":"BHP","price":1})")));
  EXPECT_EQ(out.category, pipeline::ErrorCategory::kTransient) << out.message;
  EXPECT_EQ(out.dependency, "schema-registry");
}

}  // namespace
}  // namespace sluice::stages
