// Regression tests for the libFuzzer targets in fuzz/ (docs/reliability.md).
// Each test feeds one input through the same code path as its fuzz target and
// expects a clean, typed error. The fuzzers found no crash in their first
// runs; these pin hostile inputs larger than the fuzzers' 4 KiB inputs reach
// (deep nesting, huge fields), which stack-overflowed parsers in other projects.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "broker/handlers/handlers.h"
#include "broker/protocol/messages/produce.h"
#include "broker/protocol/request.h"
#include "pipeline/pipeline_config.h"
#include "source_tree.h"
#include "stages/ingest/ingest_processor.h"

namespace sluice {
namespace {

TEST(FuzzRegressions, DeeplyNestedPipelineYamlIsAConfigError) {
  std::string text =
      "pipeline: p\nstages: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  pipeline::Environment env;
  EXPECT_THROW(pipeline::parse_pipeline_config(text, "deep.yaml", &env), pipeline::ConfigError);
}

pipeline::Outcome ingest(const std::string& value) {
  pipeline::ProcessorContext c;
  c.stage = "ingest";
  c.outputs = {"claims.downloads"};
  c.options["schema"] =
      sluice::testing::source_path("examples/claims-attachments/claim-event.schema.json").string();
  c.options["dedupe_window"] = 0;
  stages::Ingest stage(c);
  pipeline::Record r;
  r.value = value;
  return stage.process(r);
}

TEST(FuzzRegressions, DeeplyNestedClaimEventIsAValidationFailure) {
  auto out = ingest(std::string(100000, '[') + std::string(100000, ']'));
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.category, pipeline::ErrorCategory::kValidation);
}

TEST(FuzzRegressions, MegabyteClaimIdSkipsThePatternAndFails) {
  // std::regex recurses per character; maxLength must stop the search first.
  std::string event = R"({"claim_id":"C-)" + std::string(1000000, '1') +
                      R"(","event_type":"claim.submitted","submitted_at":"2026-11-27T12:00:00Z",)"
                      R"("attachments":[{"url":"https://a/b","content_type":"abc"}]})";
  auto out = ingest(event);
  EXPECT_FALSE(out.ok);
  EXPECT_NE(out.message.find("maxLength"), std::string::npos) << out.message;
}

TEST(FuzzRegressions, RequestArrayLongerThanTheFrameIsADecodeError) {
  // Produce v3, one topic array claiming 2^31-1 entries in a 20-byte frame.
  Bytes frame = {0,    0,    0,    3,    0,    0,
                 0,    1,    0xff, 0xff,              // key 0 v3, corr 1, null client id
                 0xff, 0xff,                          // null transactional id
                 0,    1,    0,    0,    0x75, 0x30,  // acks 1, timeout 30000
                 0x7f, 0xff, 0xff, 0xff};             // topic count 2^31-1, no topics
  auto req = broker::protocol::parse_request(frame, broker::handlers::is_flexible);
  broker::protocol::ProduceRequest in;
  broker::protocol::Decoder d(req.frame, req.body_offset, req.header.api_version, req.flexible);
  EXPECT_THROW(d.read_message(in), DecodeError);
}

}  // namespace
}  // namespace sluice
