// Processor options, as an operator meets them: relative paths mean the same
// from any working directory, unknown options are refused with a suggestion,
// and every option error starts with the FILE:LINE (or variable) to edit.
#include "pipeline/processor_options.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "pipeline/pipeline_config.h"
#include "pipeline/processor.h"
#include "source_tree.h"
#include "stages/builtin.h"
#include "temp_dir.h"

namespace sluice::pipeline {
namespace {

namespace fs = std::filesystem;

const fs::path kRepo = sluice::testing::source_path("");
const Environment kNoEnv;

std::string one_stage(const std::string& processor, const std::string& options) {
  return "pipeline: p\n"
         "stages:\n"
         "  - name: s\n"
         "    input: in\n"
         "    outputs: [out]\n"
         "    processor: " +
         processor +
         "\n"
         "    options:\n" +
         options;
}

// The message creating the stage's processor throws ("" when it is created).
std::string create_error(const PipelineConfig& config) {
  stages::register_builtin_processors();
  const StageConfig& s = config.stages.front();
  try {
    ProcessorRegistry::instance().create(s.processor, processor_context(config, s, nullptr));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string create_error(const std::string& yaml, const Environment& env = kNoEnv) {
  return create_error(parse_pipeline_config(yaml, "p.yaml", &env));
}

TEST(ProcessorOptions, AnUnknownOptionIsRefusedAtItsLineWithTheClosestName) {
  std::string e = create_error(one_stage("fault-injector",
                                         "      dependency: db\n"
                                         "      dependency_down_fil: /tmp/x\n"));
  EXPECT_EQ(e.rfind("p.yaml:9: stage 's' (processor fault-injector): unknown option "
                    "'dependency_down_fil'; did you mean 'dependency_down_file'?",
                    0),
            0u)
      << e;
}

TEST(ProcessorOptions, WindowAggregateRefusesUnknownAndBadOptionsAtTheirLines) {
  const std::string window =
      "      time_field: ts\n"
      "      size: 1m\n"
      "      aggregates: {n: count}\n";
  EXPECT_EQ(create_error(one_stage("window-aggregate", window)), "");
  std::string e = create_error(one_stage("window-aggregate", window + "      slid: 30s\n"));
  EXPECT_EQ(e.rfind("p.yaml:11: stage 's' (processor window-aggregate): unknown option 'slid'; "
                    "did you mean 'slide'?",
                    0),
            0u)
      << e;
  e = create_error(one_stage("window-aggregate", window + "      allowed_lateness: soon\n"));
  EXPECT_EQ(e.rfind("p.yaml:11: stage 's': option 'allowed_lateness' must be a duration", 0), 0u)
      << e;
}

TEST(ProcessorOptions, PassthroughTakesNoOptions) {
  std::string e = create_error(one_stage("passthrough", "      mode: fast\n"));
  EXPECT_EQ(e.rfind("p.yaml:8: stage 's' (processor passthrough): unknown option 'mode'", 0), 0u)
      << e;
  EXPECT_NE(e.find("takes no options"), std::string::npos) << e;
  EXPECT_EQ(create_error(one_stage("passthrough", "      {}\n")), "");
}

TEST(ProcessorOptions, ABadValueNamesTheLineOfItsOption) {
  std::string e = create_error(one_stage("download",
                                         "      store: /tmp/sluice-options-test\n"
                                         "      max_bytes: lots\n"));
  EXPECT_EQ(e.rfind("p.yaml:9: stage 's': option 'max_bytes' must be a size", 0), 0u) << e;
  e = create_error(one_stage("download",
                             "      store: /tmp/sluice-options-test\n"
                             "      host_breaker:\n"
                             "        window: 20\n"));
  EXPECT_EQ(e.rfind("p.yaml:9: stage 's': option 'host_breaker.window'", 0), 0u) << e;
}

TEST(ProcessorOptions, AnOptionSetFromTheEnvironmentNamesTheVariable) {
  Environment env = {{"SLUICE_STAGE_S_OPTIONS_MAX_BYTES", "lots"}};
  std::string e =
      create_error(one_stage("download", "      store: /tmp/sluice-options-test\n"), env);
  EXPECT_EQ(e.rfind("environment variable SLUICE_STAGE_S_OPTIONS_MAX_BYTES: stage 's': option "
                    "'max_bytes'",
                    0),
            0u)
      << e;
}

TEST(ProcessorOptions, AMissingRequiredOptionNamesTheProcessorLine) {
  std::string e = create_error(one_stage("ingest", "      dedupe_window: 10\n"));
  EXPECT_EQ(e.rfind("p.yaml:6: stage 's' (processor ingest): option 'schema' is required", 0), 0u)
      << e;
}

TEST(ProcessorOptions, AnUnknownProcessorListsTheKnownOnes) {
  std::string e = create_error(one_stage("pasthrough", "      {}\n"));
  EXPECT_EQ(e.rfind("p.yaml:6: stage 's': unknown processor 'pasthrough'; known processors: ", 0),
            0u)
      << e;
}

TEST(ProcessorOptions, RelativePathsResolveAgainstThePipelineFilesDirectory) {
  sluice::testing::TempDir dir;
  fs::create_directories(dir.path() / "conf");
  fs::copy_file(kRepo / "examples/claims-attachments/claim-event.schema.json",
                dir.path() / "conf/claim-event.schema.json");
  std::ofstream(dir.path() / "conf/pipeline.yaml")
      << one_stage("ingest", "      schema: claim-event.schema.json\n");
  // Loaded by an absolute path from an unrelated working directory.
  const fs::path before = fs::current_path();
  fs::current_path(dir.path());
  PipelineConfig config =
      load_pipeline_config((dir.path() / "conf/pipeline.yaml").string(), &kNoEnv);
  EXPECT_EQ(create_error(config), "");
  // And by a relative path: the same file.
  config = load_pipeline_config("conf/pipeline.yaml", &kNoEnv);
  fs::current_path("/");
  EXPECT_EQ(create_error(config), "");
  fs::current_path(before);
}

TEST(ProcessorOptions, ResolvingLeavesUrlsAbsolutePathsAndEmptyValuesAlone) {
  ProcessorContext c;
  c.base_dir = "/etc/sluice";
  EXPECT_EQ(resolve_option_path(c, "data/lake"), "/etc/sluice/data/lake");
  EXPECT_EQ(resolve_option_path(c, "../schemas/a.json"), "/etc/schemas/a.json");
  EXPECT_EQ(resolve_option_path(c, "/var/lake"), "/var/lake");
  EXPECT_EQ(resolve_option_path(c, "s3://bucket/x?endpoint=http://h:9000"),
            "s3://bucket/x?endpoint=http://h:9000");
  EXPECT_EQ(resolve_option_path(c, ""), "");
  c.base_dir.clear();
  EXPECT_EQ(resolve_option_path(c, "data/lake"), "data/lake");
}

}  // namespace
}  // namespace sluice::pipeline
