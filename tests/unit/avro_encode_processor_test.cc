// `avro-encode` against a real schema registry served over HTTP on 127.0.0.1
// (the registry's own REST layer and HTTP server, its store in memory): JSON
// records become Confluent's wire format with the id the registry gave the
// schema, avro-decode reads them back to the same JSON, a record that does not
// fit goes to the DLQ naming the field, and a schema the registry refuses stops
// the stage at start.
#include "stages/avro_encode/avro_encode_processor.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/json.h"
#include "registry/registry_api.h"
#include "registry/registry_http_server.h"
#include "registry_round_trip_store.h"
#include "stages/avro_decode/avro_decode_processor.h"
#include "temp_dir.h"

namespace sluice::stages {
namespace {

const std::string kTick = R"({"type":"record","name":"Tick","fields":[
  {"name":"symbol","type":"string"},
  {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":12,"scale":4}},
  {"name":"at","type":{"type":"long","logicalType":"timestamp-micros"}},
  {"name":"day","type":{"type":"int","logicalType":"date"}},
  {"name":"id","type":{"type":"string","logicalType":"uuid"}},
  {"name":"volume","type":["null","long"],"default":null}]})";

class AvroEncodeTest : public ::testing::Test {
 protected:
  sluice::testing::TempDir dir{"avro-encode"};

  void SetUp() override {
    server.start(api);
    url = "http://127.0.0.1:" + std::to_string(server.port());
  }

  pipeline::ProcessorContext context(const std::string& processor, const std::string& schema) {
    pipeline::ProcessorContext c;
    c.stage = processor;
    c.processor = processor;
    c.outputs = {"out", "other"};
    c.options["registry"] = url;
    if (processor == "avro-encode") {
      c.options["subject"] = "ticks-value";
      if (schema == "latest") {
        c.options["schema"] = "latest";
      } else {
        // Its own directory: ctest runs this file's tests in parallel processes.
        const auto path = dir.path() / "tick.avsc";
        std::ofstream(path) << schema;
        c.options["schema"] = path.string();
      }
    }
    return c;
  }

  static pipeline::Record record(const std::string& value) {
    pipeline::Record r;
    r.topic = "in";
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

TEST_F(AvroEncodeTest, EncodedRecordsDecodeToTheSameJson) {
  AvroEncode encode(context("avro-encode", kTick));
  AvroDecode decode(context("avro-decode", ""));
  const std::string tick =
      R"({"symbol":"BHP","price":"45.1230","at":"2026-01-05T10:00:00.123456Z","day":"2026-01-05",)"
      R"("id":"6f1c2a9e-8d1b-4c55-9a53-3e1f0c7b2d10","volume":1200})";
  auto out = encode.process(record(tick));
  ASSERT_TRUE(out.ok) << out.message;
  ASSERT_EQ(out.outputs.size(), 1u);
  EXPECT_EQ(out.outputs[0].topic, "out");
  EXPECT_EQ(out.outputs[0].key, "ASX.BHP");
  const std::string& value = out.outputs[0].value;
  ASSERT_GE(value.size(), 5u);
  EXPECT_EQ(value[0], '\0');
  EXPECT_EQ(int(value[4]), encode.schema_id());
  auto back = decode.process(record(value));
  ASSERT_TRUE(back.ok) << back.message;
  EXPECT_EQ(back.outputs.at(0).value, tick);
}

TEST_F(AvroEncodeTest, TheSchemaIsRegisteredOnceAndLatestFindsIt) {
  AvroEncode first(context("avro-encode", kTick));
  AvroEncode again(context("avro-encode", kTick));
  AvroEncode latest(context("avro-encode", "latest"));
  EXPECT_EQ(again.schema_id(), first.schema_id());
  EXPECT_EQ(latest.schema_id(), first.schema_id());
}

TEST_F(AvroEncodeTest, ARecordThatDoesNotFitGoesToTheDlqNamingTheField) {
  AvroEncode encode(context("avro-encode", kTick));
  auto expect = [&](const std::string& json, const std::string& reason) {
    auto out = encode.process(record(json));
    EXPECT_FALSE(out.ok);
    EXPECT_EQ(out.category, pipeline::ErrorCategory::kValidation) << out.message;
    EXPECT_NE(out.message.find(reason), std::string::npos) << out.message;
  };
  const std::string rest = R"("at":"2026-01-05T10:00:00Z","day":"2026-01-05","id":"x")";
  expect(R"({"symbol":"BHP","price":"1.23456",)" + rest + "}", "$.price");
  expect(R"({"symbol":7,"price":"1",)" + rest + "}", "$.symbol: the schema wants");
  expect(R"({"price":"1",)" + rest + "}", "$.symbol: the JSON has no such field");
  expect(R"({"symbol":"BHP","price":"1","venue":"ASX",)" + rest + "}", "no field \"venue\"");
  expect("not json", "not JSON");
}

TEST_F(AvroEncodeTest, ASchemaTheRegistryRefusesStopsTheStageAtStart) {
  AvroEncode encode(context("avro-encode", kTick));
  // BACKWARD (the default): a new field without a default cannot read old data.
  const std::string incompatible = R"({"type":"record","name":"Tick","fields":[
    {"name":"symbol","type":"string"},{"name":"venue","type":"string"}]})";
  try {
    AvroEncode refused(context("avro-encode", incompatible));
    ADD_FAILURE() << "an incompatible schema was registered";
  } catch (const pipeline::OptionError& e) {
    EXPECT_NE(std::string(e.what()).find("refused"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("409"), std::string::npos) << e.what();
  }
  auto missing = context("avro-encode", "latest");
  missing.options["subject"] = "nobody-value";
  EXPECT_THROW(AvroEncode{missing}, pipeline::OptionError);
}

}  // namespace
}  // namespace sluice::stages
