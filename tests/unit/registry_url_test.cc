// Which registry an Avro processor uses: its option, else the pipeline's
// `schema_registry` (what `sluice up` sets), else a clear error.
#include "stages/confluent/registry_url.h"

#include <gtest/gtest.h>

#include "pipeline/pipeline_config.h"
#include "pipeline/processor_options.h"

namespace sluice::stages {
namespace {

pipeline::ProcessorContext context(const std::string& pipeline_yaml_tail) {
  const pipeline::PipelineConfig config = pipeline::parse_pipeline_config(
      "pipeline: p\n" + pipeline_yaml_tail +
          "stages:\n  - {name: decode, input: in, outputs: [out], processor: avro-decode}\n",
      "p.yaml", nullptr);
  return pipeline::processor_context(config, config.stages.at(0), nullptr);
}

std::string error_of(const pipeline::ProcessorContext& c) {
  try {
    registry_url(c);
  } catch (const pipeline::OptionError& e) {
    return e.what();
  }
  return "";
}

TEST(RegistryUrl, TheProcessorsOptionWinsOverThePipelines) {
  pipeline::ProcessorContext c = context("schema_registry: http://127.0.0.1:8081\n");
  EXPECT_EQ(registry_url(c), "http://127.0.0.1:8081");
  c.options["registry"] = "http://registry.internal:8081";
  EXPECT_EQ(registry_url(c), "http://registry.internal:8081");
}

TEST(RegistryUrl, NeitherIsAnErrorSayingWhereToSetIt) {
  const std::string e = error_of(context(""));
  EXPECT_NE(e.find("stage 'decode' (processor avro-decode): no schema registry"), std::string::npos)
      << e;
  EXPECT_NE(e.find("`schema_registry:`"), std::string::npos) << e;
}

TEST(RegistryUrl, OnlyHttpUrls) {
  pipeline::ProcessorContext c = context("");
  c.options["registry"] = "127.0.0.1:8081";
  EXPECT_NE(error_of(c).find("must be an http:// or https:// URL"), std::string::npos);
  EXPECT_THROW(context("schema_registry: 127.0.0.1:8081\n"), pipeline::ConfigError);
}

}  // namespace
}  // namespace sluice::stages
