// Pipeline YAML: what loads, the defaults, every kind of mistake being reported
// at FILE:LINE with its key path, environment overrides, and value spellings.
#include "pipeline/pipeline_config.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "pipeline/config_schema.h"
#include "pipeline/config_text.h"
#include "source_tree.h"

namespace sluice::pipeline {
namespace {

const std::filesystem::path kRepo = sluice::testing::source_path("");

const Environment kNoEnv;

PipelineConfig parse(const std::string& yaml, const Environment& env = kNoEnv) {
  return parse_pipeline_config(yaml, "p.yaml", &env);
}

// The message of the ConfigError parsing `yaml` throws ("" if it parses).
std::string error_of(const std::string& yaml, const Environment& env = kNoEnv) {
  try {
    parse(yaml, env);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A valid one-stage pipeline with `extra` appended to the stage (indented 4).
std::string one_stage(const std::string& extra = "") {
  return "pipeline: claims\n"
         "stages:\n"
         "  - name: ingest\n"
         "    input: claims.events\n"
         "    outputs: [claims.downloads]\n"
         "    processor: validate\n" +
         extra;
}

#define EXPECT_STARTS_WITH(text, prefix)                                     \
  EXPECT_EQ(std::string(text).substr(0, std::string(prefix).size()), prefix) \
      << "full message: " << (text)

// ---- files that must load ----

TEST(PipelineConfigLoad, ThePassthroughExampleLoads) {
  PipelineConfig c =
      load_pipeline_config((kRepo / "examples/passthrough/pipeline.yaml").string(), &kNoEnv);
  EXPECT_EQ(c.name, "demo");
  ASSERT_EQ(c.stages.size(), 1u);
  const StageConfig* copy = c.stage("copy");
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->processor, "passthrough");
  EXPECT_EQ(copy->input, "demo.in");
  EXPECT_EQ(copy->outputs, std::vector<std::string>{"demo.out"});
  EXPECT_EQ(c.stage("nope"), nullptr);
}

TEST(PipelineConfigLoad, EveryExamplePipelineLoads) {
  int loaded = 0;
  for (const auto& dir : std::filesystem::directory_iterator(kRepo / "examples")) {
    const std::filesystem::path file = dir.path() / "pipeline.yaml";
    if (!std::filesystem::exists(file)) continue;
    EXPECT_NO_THROW(load_pipeline_config(file.string(), &kNoEnv)) << file;
    ++loaded;
  }
  EXPECT_GE(loaded, 4);
}

TEST(PipelineConfigLoad, TheMarketTicksSinkDegradesWithTheSeedsLadderAndCriticalSymbols) {
  PipelineConfig c =
      load_pipeline_config((kRepo / "examples/market-ticks/pipeline.yaml").string(), &kNoEnv);
  const DegradationConfig& d = c.stage("ticks")->degradation;
  EXPECT_EQ(d.lag_thresholds, (std::array<int64_t, 4>{100000, 500000, 1000000, 5000000}));
  EXPECT_EQ(d.priority_keys.size(), 20u) << "seed 003's 20 critical symbols";
  EXPECT_EQ(d.parked_topic, "market.ticks.asx.clean.shed");
}

TEST(PipelineConfigLoad, TheFullExampleInTheDocsLoadsWithEveryValueAsWritten) {
  std::string docs = read_file(kRepo / "docs/configuration.md");
  size_t start = docs.find("```yaml\n");
  ASSERT_NE(start, std::string::npos);
  start += 8;
  PipelineConfig c = parse(docs.substr(start, docs.find("```", start) - start));
  EXPECT_EQ(c.name, "claims");
  ASSERT_GE(c.stages.size(), 1u);
  const StageConfig& s = c.stages[0];
  EXPECT_EQ(s.name, "ingest");
  EXPECT_EQ(s.group, "claims.ingest");
  EXPECT_EQ(s.options["schema"].as<std::string>(), "schemas/claim.json");
  EXPECT_EQ(s.retry.delay_topic_delays_ms, (std::vector<int64_t>{5000, 30000, 300000}));
  EXPECT_EQ(s.queue.max_buffered_bytes, 64 << 20);
  ASSERT_EQ(s.breakers.size(), 1u);
  EXPECT_EQ(s.breakers[0].name, "http");
  EXPECT_EQ(s.breakers[0].window_ms, 30000);
  EXPECT_EQ(s.shutdown_timeout_ms, 30000);
}

TEST(PipelineConfigLoad, EveryKeyIsReadIntoItsField) {
  PipelineConfig c = parse(
      "pipeline: claims\n"
      "bootstrap: kafka-1:9092,kafka-2:9093\n"
      "admin: 0.0.0.0:9644\n"
      "stages:\n"
      "  - name: download\n"
      "    input: claims.downloads\n"
      "    group: custom-group\n"
      "    outputs: [claims.results, claims.audit]\n"
      "    processor: http-download\n"
      "    options: {timeout: 10s, retries: 2}\n"
      "    retry: {max_attempts: 5, initial_backoff_ms: 250ms, max_backoff_ms: 1m, multiplier: 3,\n"
      "            jitter: 0.1, delay_topics: [1s, 1m, 1h]}\n"
      "    dlq: {enabled: false, topic: claims.failed, max_replays: 7}\n"
      "    queue: {max_buffered_records: 500, max_buffered_bytes: 1GiB, in_flight_per_partition: "
      "4,\n"
      "            max_in_flight: 64, fetch_min_bytes: 64KiB, linger: 25ms}\n"
      "    breakers:\n"
      "      - {name: http, failure_rate_threshold: 0.25, minimum_calls: 20, window: 1m, open: "
      "10s,\n"
      "         half_open_probes: 5}\n"
      "      - name: s3\n"
      "    shutdown_timeout: 2m\n"
      "    session_timeout: 30s\n"
      "    state_checkpoint_interval: 3s\n");
  EXPECT_EQ(c.bootstrap, "kafka-1:9092,kafka-2:9093");
  EXPECT_EQ(c.admin, "0.0.0.0:9644");
  const StageConfig& s = c.stages.at(0);
  EXPECT_EQ(s.group, "custom-group");
  EXPECT_EQ(s.outputs, (std::vector<std::string>{"claims.results", "claims.audit"}));
  EXPECT_EQ(s.processor, "http-download");
  EXPECT_EQ(s.options["retries"].as<int>(), 2);
  EXPECT_EQ(s.retry.max_attempts, 5);
  EXPECT_EQ(s.retry.initial_backoff_ms, 250);
  EXPECT_EQ(s.retry.max_backoff_ms, 60000);
  EXPECT_EQ(s.retry.multiplier, 3.0);
  EXPECT_EQ(s.retry.jitter, 0.1);
  EXPECT_EQ(s.retry.delay_topic_delays_ms, (std::vector<int64_t>{1000, 60000, 3600000}));
  EXPECT_FALSE(s.dlq.enabled);
  EXPECT_EQ(s.dlq.topic, "claims.failed");
  EXPECT_EQ(s.dlq.max_replays, 7);
  EXPECT_EQ(s.queue.max_buffered_records, 500);
  EXPECT_EQ(s.queue.max_buffered_bytes, int64_t(1) << 30);
  EXPECT_EQ(s.queue.in_flight_per_partition, 4);
  EXPECT_EQ(s.queue.max_in_flight, 64);
  EXPECT_EQ(s.queue.fetch_min_bytes, 65536);
  EXPECT_EQ(s.queue.linger_ms, 25);
  ASSERT_EQ(s.breakers.size(), 2u);
  EXPECT_EQ(s.breakers[0].failure_rate_threshold, 0.25);
  EXPECT_EQ(s.breakers[0].minimum_calls, 20);
  EXPECT_EQ(s.breakers[0].window_ms, 60000);
  EXPECT_EQ(s.breakers[0].open_ms, 10000);
  EXPECT_EQ(s.breakers[0].half_open_probes, 5);
  EXPECT_EQ(s.breakers[1].name, "s3");
  EXPECT_EQ(s.breakers[1].open_ms, BreakerConfig{}.open_ms);
  EXPECT_EQ(s.shutdown_timeout_ms, 120000);
  EXPECT_EQ(s.session_timeout_ms, 30000);
  EXPECT_EQ(s.state_checkpoint_interval_ms, 3000);
}

TEST(PipelineConfigLoad, OmittedKeysTakeTheDocumentedDefaults) {
  PipelineConfig c = parse(one_stage());
  EXPECT_EQ(c.bootstrap, "127.0.0.1:9092");
  EXPECT_EQ(c.admin, "127.0.0.1:0");
  const StageConfig& s = c.stages.at(0);
  EXPECT_EQ(s.group, "claims.ingest") << "<pipeline>.<stage>";
  EXPECT_EQ(s.dlq.topic, "claims.events.dlq") << "<input>.dlq";
  EXPECT_TRUE(s.dlq.enabled);
  EXPECT_EQ(s.dlq.max_replays, 3);
  EXPECT_TRUE(s.options.IsMap());
  EXPECT_EQ(s.options.size(), 0u);
  RetryConfig r;
  EXPECT_EQ(s.retry.max_attempts, r.max_attempts);
  EXPECT_EQ(s.retry.initial_backoff_ms, 100);
  EXPECT_EQ(s.retry.max_backoff_ms, 5000);
  EXPECT_EQ(s.retry.multiplier, 2.0);
  EXPECT_EQ(s.retry.jitter, 0.2);
  EXPECT_EQ(s.retry.delay_topic_delays_ms, (std::vector<int64_t>{5000, 30000, 300000}));
  EXPECT_EQ(s.queue.max_buffered_records, 10000);
  EXPECT_EQ(s.queue.max_buffered_bytes, 64 << 20);
  EXPECT_EQ(s.queue.in_flight_per_partition, 1);
  EXPECT_EQ(s.queue.max_in_flight, 1000);
  EXPECT_EQ(s.queue.fetch_min_bytes, 1) << "Kafka's default: a Fetch answers at the first record";
  EXPECT_EQ(s.queue.linger_ms, 5);
  EXPECT_EQ(s.state_checkpoint_interval_ms, 1000);
  EXPECT_TRUE(s.breakers.empty());
  EXPECT_EQ(s.shutdown_timeout_ms, 30000);
  EXPECT_EQ(s.session_timeout_ms, 10000);
}

TEST(PipelineConfigLoad, TheDegradationBlockIsReadWithTheSeedsThresholds) {
  PipelineConfig c =
      parse(one_stage("    degradation:\n"
                      "      lag: seed\n"
                      "      memory_budget: 2GiB\n"
                      "      memory: [60, 70, 80, 90]\n"
                      "      recovery_after: 1m\n"
                      "      priority_keys: [ASX.BHP, ASX.CBA]\n"
                      "      spill_dir: spill\n"
                      "      spill_max_bytes: 10GiB\n"));
  const DegradationConfig& d = c.stages.at(0).degradation;
  EXPECT_EQ(d.lag_thresholds, (std::array<int64_t, 4>{100000, 500000, 1000000, 5000000}));
  EXPECT_EQ(d.memory_budget_bytes, int64_t(2) << 30);
  EXPECT_EQ(d.memory_percents, (std::array<int64_t, 4>{60, 70, 80, 90}));
  EXPECT_EQ(d.recovery_after_ms, 60000);
  EXPECT_EQ(d.priority_keys, (std::vector<std::string>{"ASX.BHP", "ASX.CBA"}));
  EXPECT_EQ(d.parked_topic, "claims.events.shed") << "<input>.shed";
  EXPECT_EQ(d.spill_dir, "spill");
  EXPECT_EQ(d.spill_max_bytes, int64_t(10) << 30);
  EXPECT_TRUE(d.watched());
  EXPECT_FALSE(parse(one_stage()).stages.at(0).degradation.watched()) << "off unless asked for";
}

TEST(PipelineConfigLoad, DeclaredSchemasAndTheRegistry) {
  PipelineConfig c = parse(
      "pipeline: ticks\n"
      "schema_registry: http://127.0.0.1:8081\n"
      "schemas:\n"
      "  market.ticks.asx-value: {schema: market-tick.avsc}\n"
      "  market.quarantine.asx-value: {schema: q.avsc, compatibility: FULL}\n"
      "stages:\n"
      "  - {name: a, input: t, processor: passthrough}\n");
  EXPECT_EQ(c.schema_registry, "http://127.0.0.1:8081");
  ASSERT_EQ(c.schemas.size(), 2u);
  EXPECT_EQ(c.schemas[0].subject, "market.ticks.asx-value");
  EXPECT_EQ(c.schemas[0].file, "market-tick.avsc");
  EXPECT_EQ(c.schemas[0].compatibility, "BACKWARD") << "the seed's, by default";
  EXPECT_EQ(c.schemas[1].compatibility, "FULL");
  EXPECT_STARTS_WITH(error_of("pipeline: p\nschemas: {s: {schema: a.avsc, compatibility: STRICT}}\n"
                              "stages: [{name: a, input: t, processor: x}]\n"),
                     "p.yaml:2: schemas.s.compatibility: 'STRICT' is not a compatibility level");
}

TEST(PipelineConfigLoad, TheOlderLagKeysSetSoftAndCircuitBreak) {
  const DegradationConfig d =
      parse(one_stage("    degrade_lag_threshold: 50\n    halt_lag_threshold: 1000\n"))
          .stages.at(0)
          .degradation;
  EXPECT_EQ(d.lag_thresholds, (std::array<int64_t, 4>{50, 0, 0, 1000}));
}

TEST(PipelineConfigErrors, DegradationThresholdsMustRiseWithTheLevel) {
  EXPECT_STARTS_WITH(error_of(one_stage("    degradation: {lag: [100, 50, 0, 0]}\n")),
                     "p.yaml:7: stages[0].degradation.lag: the lag of GRACEFUL (50) is not above "
                     "the level before it (100)");
  EXPECT_STARTS_WITH(error_of(one_stage("    degradation: {lag: [100, 200]}\n")),
                     "p.yaml:7: stages[0].degradation.lag: expected four lag thresholds");
  EXPECT_STARTS_WITH(error_of(one_stage("    degradation: {memory: [70, 80, 90, 101]}\n")),
                     "p.yaml:7: stages[0].degradation.memory[3]: 101 is out of range");
  EXPECT_STARTS_WITH(
      error_of(one_stage("    degradation: {parked_topic: claims.events}\n")),
      "p.yaml:7: stages[0].degradation.parked_topic: is the stage's input or dead-letter topic");
}

TEST(PipelineConfigLoad, AStageMayHaveNoOutputsAndNoDelayTopics) {
  PipelineConfig c = parse(
      "pipeline: p\nstages:\n  - {name: sink, input: t, processor: table, retry: {delay_topics: "
      "[]}}\n");
  EXPECT_TRUE(c.stages[0].outputs.empty());
  EXPECT_TRUE(c.stages[0].retry.delay_topic_delays_ms.empty());
}

TEST(PipelineConfigLoad, AMissingFileIsReportedWithItsPath) {
  try {
    load_pipeline_config("/nonexistent/pipeline.yaml", &kNoEnv);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STARTS_WITH(e.what(), "/nonexistent/pipeline.yaml: cannot read the pipeline file");
  }
}

// ---- mistakes, each reported at FILE:LINE: KEY ----

TEST(PipelineConfigErrors, MalformedYamlNamesTheLineOfTheParseError) {
  std::string e = error_of("pipeline: p\nstages:\n  - name: [unclosed\n    input: x\n");
  EXPECT_STARTS_WITH(e, "p.yaml:");
  EXPECT_NE(e.find("invalid YAML"), std::string::npos) << e;
  EXPECT_STARTS_WITH(error_of("pipeline: p\n  bad: indent\n"), "p.yaml:2: invalid YAML");
}

TEST(PipelineConfigErrors, AnEmptyFileOrANonMappingDocumentIsReported) {
  EXPECT_STARTS_WITH(error_of(""), "p.yaml:1: the file is empty");
  EXPECT_STARTS_WITH(error_of("- a\n- b\n"), "p.yaml:1: expected a mapping");
}

TEST(PipelineConfigErrors, AnUnknownKeySuggestsTheClosestKnownOne) {
  std::string e = error_of(one_stage("    retry:\n      max_attemps: 5\n"));
  EXPECT_EQ(e,
            "p.yaml:8: stages[0].retry.max_attemps: unknown key 'max_attemps'; did you mean "
            "'max_attempts'?");
}

TEST(PipelineConfigErrors, AnUnknownKeyWithNothingCloseListsTheKnownKeys) {
  std::string e = error_of("pipeline: p\nzebra: 1\nstages: []\n");
  EXPECT_STARTS_WITH(
      e, "p.yaml:2: zebra: unknown key 'zebra'; known keys here: pipeline bootstrap admin stages");
}

TEST(PipelineConfigErrors, AnUnknownSectionKeyIsReportedToo) {
  EXPECT_STARTS_WITH(error_of(one_stage("    retyr: {max_attempts: 2}\n")),
                     "p.yaml:7: stages[0].retyr: unknown key 'retyr'; did you mean 'retry'?");
}

TEST(PipelineConfigErrors, AKeyWrittenTwiceIsReported) {
  EXPECT_STARTS_WITH(error_of(one_stage("    processor: again\n")),
                     "p.yaml:7: stages[0].processor: appears twice");
}

TEST(PipelineConfigErrors, RequiredStageKeysAreReportedAtTheStage) {
  EXPECT_STARTS_WITH(error_of("pipeline: p\nstages:\n  - input: t\n    processor: x\n"),
                     "p.yaml:3: stages[0]: has no name");
  EXPECT_STARTS_WITH(error_of("pipeline: p\nstages:\n  - name: a\n    processor: x\n"),
                     "p.yaml:3: stages[0].input: is missing");
  EXPECT_STARTS_WITH(error_of("pipeline: p\nstages:\n  - name: a\n    input: t\n"),
                     "p.yaml:3: stages[0].processor: is missing");
}

TEST(PipelineConfigErrors, APipelineNeedsANameAndAtLeastOneStage) {
  EXPECT_STARTS_WITH(error_of("stages:\n  - {name: a, input: t, processor: x}\n"),
                     "p.yaml:1: pipeline: is missing");
  EXPECT_STARTS_WITH(error_of("pipeline: p\nstages: []\n"),
                     "p.yaml:2: stages: no stages are configured");
  EXPECT_STARTS_WITH(error_of("pipeline: p\n"), "p.yaml:1: stages: no stages are configured");
}

TEST(PipelineConfigErrors, StageNamesMustBeUnique) {
  std::string e = error_of(one_stage("  - name: ingest\n    input: other\n    processor: x\n"));
  EXPECT_STARTS_WITH(
      e,
      "p.yaml:7: stages[1].name: stage name 'ingest' is already used by stages[0].name (p.yaml:3)");
}

TEST(PipelineConfigErrors, StageNamesThatCollideAsEnvironmentVariableNamesAreRejected) {
  std::string e = error_of(one_stage("  - name: INGEST\n    input: other\n    processor: x\n"));
  EXPECT_STARTS_WITH(e, "p.yaml:7: stages[1].name: stage name 'INGEST' clashes with 'ingest'");
}

TEST(PipelineConfigErrors, TopicsMustBeValidKafkaNames) {
  EXPECT_STARTS_WITH(
      error_of("pipeline: p\nstages:\n  - name: a\n    input: bad/topic\n    processor: x\n"),
      "p.yaml:4: stages[0].input: topic 'bad/topic' contains '/'");
  EXPECT_STARTS_WITH(error_of(one_stage("    dlq: {topic: '..'}\n")),
                     "p.yaml:7: stages[0].dlq.topic: topic '..'");
  std::string e = error_of(
      "pipeline: p\nstages:\n  - name: a\n    input: t\n    outputs: [ok, 'x y']\n"
      "    processor: x\n");
  EXPECT_STARTS_WITH(e, "p.yaml:5: stages[0].outputs[1]: topic 'x y' contains ' '");
}

TEST(PipelineConfigErrors, DerivedTopicNamesMustFitKafkasLengthLimit) {
  std::string input(245, 'a');
  std::string e =
      error_of("pipeline: p\nstages:\n  - name: a\n    input: " + input + "\n    processor: x\n");
  EXPECT_STARTS_WITH(e, "p.yaml:4: stages[0].input: delay topic");
}

TEST(PipelineConfigErrors, NumbersOutOfRangeNameTheKeyAndTheRange) {
  EXPECT_EQ(
      error_of(one_stage("    retry: {max_attempts: 0}\n")),
      "p.yaml:7: stages[0].retry.max_attempts: 0 is out of range; use a value from 1 to 1000000");
  EXPECT_STARTS_WITH(error_of(one_stage("    retry: {jitter: 1.5}\n")),
                     "p.yaml:7: stages[0].retry.jitter: 1.5 is out of range");
  EXPECT_STARTS_WITH(error_of(one_stage("    breakers: [{name: h, failure_rate_threshold: 0}]\n")),
                     "p.yaml:7: stages[0].breakers[0].failure_rate_threshold: must be more than 0");
  EXPECT_STARTS_WITH(error_of(one_stage("    queue: {max_buffered_bytes: 10}\n")),
                     "p.yaml:7: stages[0].queue.max_buffered_bytes: 10B is out of range; use a "
                     "value from 1KiB to 64GiB");
  EXPECT_STARTS_WITH(
      error_of(one_stage("    shutdown_timeout: 2d\n")),
      "p.yaml:7: stages[0].shutdown_timeout: 2d is out of range; use a value from 0ms to 1d");
  EXPECT_STARTS_WITH(
      error_of(one_stage("    session_timeout: 1s\n")),
      "p.yaml:7: stages[0].session_timeout: 1s is out of range; use a value from 6s to 30m");
  EXPECT_STARTS_WITH(
      error_of(one_stage("    retry: {max_attempts: 99999999999999999999}\n")),
      "p.yaml:7: stages[0].retry.max_attempts: '99999999999999999999' is out of range");
}

TEST(PipelineConfigErrors, ValuesOfTheWrongTypeAreReported) {
  EXPECT_STARTS_WITH(
      error_of(one_stage("    retry: {max_attempts: three}\n")),
      "p.yaml:7: stages[0].retry.max_attempts: expected a whole number, got 'three'");
  EXPECT_STARTS_WITH(error_of(one_stage("    retry: {max_attempts: [3]}\n")),
                     "p.yaml:7: stages[0].retry.max_attempts: expected a whole number, got a list");
  EXPECT_STARTS_WITH(error_of(one_stage("    dlq: {enabled: maybe}\n")),
                     "p.yaml:7: stages[0].dlq.enabled: expected true or false, got 'maybe'");
  EXPECT_STARTS_WITH(error_of(one_stage("    retry: {multiplier: fast}\n")),
                     "p.yaml:7: stages[0].retry.multiplier: expected a number, got 'fast'");
  EXPECT_STARTS_WITH(error_of(one_stage("    retry: 3\n")),
                     "p.yaml:7: stages[0].retry: expected a mapping of keys");
  EXPECT_STARTS_WITH(error_of(one_stage("    options: [a]\n")),
                     "p.yaml:7: stages[0].options: expected a mapping of the processor's options");
  EXPECT_STARTS_WITH(error_of("pipeline: p\nstages: {name: a}\n"),
                     "p.yaml:2: stages: expected a list, got a mapping");
  EXPECT_STARTS_WITH(error_of("pipeline: p\nstages: [a]\n"),
                     "p.yaml:2: stages[0]: expected a mapping describing a stage");
  EXPECT_STARTS_WITH(error_of(one_stage("    group:\n")),
                     "p.yaml:7: stages[0].group: expected text, got nothing");
}

TEST(PipelineConfigErrors, BadDurationsAndSizesExplainTheAcceptedSpellings) {
  std::string e = error_of(one_stage("    retry: {delay_topics: [5s, 5 minutes]}\n"));
  EXPECT_STARTS_WITH(
      e,
      "p.yaml:7: stages[0].retry.delay_topics[1]: expected a duration, got '5 minutes'; write "
      "milliseconds (250) or a whole number with a unit (250ms, 5s, 5m, 1h, 1d)");
  EXPECT_STARTS_WITH(
      error_of(one_stage("    queue: {max_buffered_bytes: 64MB}\n")),
      "p.yaml:7: stages[0].queue.max_buffered_bytes: expected a size, got '64MB'; write bytes");
}

TEST(PipelineConfigErrors, RulesAcrossKeysAreReportedAtTheKeyToChange) {
  EXPECT_STARTS_WITH(
      error_of(one_stage("    retry:\n      initial_backoff_ms: 1s\n      max_backoff_ms: 500\n")),
      "p.yaml:9: stages[0].retry.max_backoff_ms: 500ms is less than initial_backoff_ms (1s)");
  EXPECT_STARTS_WITH(
      error_of(one_stage("    retry: {delay_topics: [1m, 5s]}\n")),
      "p.yaml:7: stages[0].retry.delay_topics[1]: 5s is shorter than the delay before it (1m)");
  EXPECT_STARTS_WITH(
      error_of(one_stage("    queue: {in_flight_per_partition: 8, max_in_flight: 4}\n")),
      "p.yaml:7: stages[0].queue.in_flight_per_partition: 8 is more than max_in_flight (4)");
  EXPECT_STARTS_WITH(
      error_of("pipeline: p\nstages:\n  - name: a\n    input: t\n    outputs: [u, t]\n"
               "    processor: x\n"),
      "p.yaml:5: stages[0].outputs[1]: is the stage's own input topic");
  EXPECT_STARTS_WITH(error_of(one_stage("    dlq: {topic: claims.events}\n")),
                     "p.yaml:7: stages[0].dlq.topic: is the stage's own input topic");
}

TEST(PipelineConfigLoad, DlqHeadersAreReadInFileOrderAndTheDlqsOwnNamesRefused) {
  const PipelineConfig c =
      parse(one_stage("    dlq: {headers: {sluice.sequence.severity: ERROR, team: feeds}}\n"));
  EXPECT_EQ(c.stages.at(0).dlq.headers,
            (std::vector<std::pair<std::string, std::string>>{{"sluice.sequence.severity", "ERROR"},
                                                              {"team", "feeds"}}));
  EXPECT_TRUE(parse(one_stage()).stages.at(0).dlq.headers.empty());
  EXPECT_NE(error_of(one_stage("    dlq: {headers: {sluice.error.category: x}}\n"))
                .find("is a header the dead-letter queue writes itself"),
            std::string::npos);
  EXPECT_NE(error_of(one_stage("    dlq: {headers: [a, b]}\n")).find("expected a mapping"),
            std::string::npos);
}

TEST(PipelineConfigErrors, BreakersNeedUniqueNames) {
  EXPECT_STARTS_WITH(error_of(one_stage("    breakers: [{open: 5s}]\n")),
                     "p.yaml:7: stages[0].breakers[0]: has no name");
  EXPECT_STARTS_WITH(
      error_of(one_stage("    breakers:\n      - name: http\n      - name: http\n")),
      "p.yaml:9: stages[0].breakers[1].name: circuit breaker name 'http' is already used");
}

TEST(PipelineConfigErrors, BrokerAndAdminAddressesMustBeHostPort) {
  EXPECT_STARTS_WITH(error_of("bootstrap: localhost\n" + one_stage()),
                     "p.yaml:1: bootstrap: broker 'localhost' is not HOST:PORT");
  EXPECT_STARTS_WITH(error_of("bootstrap: a:9092,b:0\n" + one_stage()),
                     "p.yaml:1: bootstrap: broker 'b:0' has port '0'");
  EXPECT_STARTS_WITH(error_of("admin: 127.0.0.1:http\n" + one_stage()),
                     "p.yaml:1: admin: '127.0.0.1:http' has port 'http'");
}

TEST(PipelineConfigErrors, ErrorsCarryTheirPartsSeparately) {
  try {
    parse(one_stage("    retry: {max_attempts: 0}\n"));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.source().file, "p.yaml");
    EXPECT_EQ(e.source().line, 7);
    EXPECT_EQ(e.key(), "stages[0].retry.max_attempts");
    EXPECT_EQ(e.hint(), "use a value from 1 to 1000000");
  }
}

// ---- environment overrides ----

TEST(PipelineConfigEnv, PipelineLevelVariablesOverrideTheFile) {
  PipelineConfig c = parse(one_stage(), {{"SLUICE_BOOTSTRAP", "kafka:9092"},
                                         {"SLUICE_ADMIN", "0.0.0.0:9644"},
                                         {"SLUICE_PIPELINE", "claims-staging"}});
  EXPECT_EQ(c.bootstrap, "kafka:9092");
  EXPECT_EQ(c.admin, "0.0.0.0:9644");
  EXPECT_EQ(c.name, "claims-staging");
  EXPECT_EQ(c.stages[0].group, "claims-staging.ingest")
      << "defaults derive from the overridden value";
}

TEST(PipelineConfigEnv, StageVariablesUseTheUpperCasedNameAndDottedKeyPath) {
  std::string yaml =
      one_stage("  - name: claims-download\n    input: claims.downloads\n    processor: http\n");
  PipelineConfig c = parse(yaml, {{"SLUICE_STAGE_INGEST_RETRY_MAX_ATTEMPTS", "5"},
                                  {"SLUICE_STAGE_CLAIMS_DOWNLOAD_QUEUE_MAX_IN_FLIGHT", "50"},
                                  {"SLUICE_STAGE_CLAIMS_DOWNLOAD_SHUTDOWN_TIMEOUT", "90s"},
                                  {"SLUICE_STAGE_INGEST_DLQ_ENABLED", "false"},
                                  {"SLUICE_STAGE_INGEST_QUEUE_MAX_BUFFERED_BYTES", "8MiB"}});
  EXPECT_EQ(c.stages[0].retry.max_attempts, 5);
  EXPECT_FALSE(c.stages[0].dlq.enabled);
  EXPECT_EQ(c.stages[0].queue.max_buffered_bytes, 8 << 20);
  EXPECT_EQ(c.stages[1].queue.max_in_flight, 50);
  EXPECT_EQ(c.stages[1].shutdown_timeout_ms, 90000);
}

TEST(PipelineConfigStall, DefaultsFileAndEnvironment) {
  EXPECT_EQ(parse(one_stage()).stages[0].stall.max_delivery_failures, 5);
  EXPECT_EQ(parse(one_stage()).stages[0].stall.commit_timeout_ms, 300000);
  PipelineConfig c =
      parse(one_stage("    stall: {max_delivery_failures: 0, commit_timeout: 90s}\n"));
  EXPECT_EQ(c.stages[0].stall.max_delivery_failures, 0);
  EXPECT_EQ(c.stages[0].stall.commit_timeout_ms, 90000);
  c = parse(one_stage(), {{"SLUICE_STAGE_INGEST_STALL_COMMIT_TIMEOUT", "0"},
                          {"SLUICE_STAGE_INGEST_STALL_MAX_DELIVERY_FAILURES", "12"}});
  EXPECT_EQ(c.stages[0].stall.commit_timeout_ms, 0);
  EXPECT_EQ(c.stages[0].stall.max_delivery_failures, 12);
  EXPECT_NE(error_of(one_stage("    stall: {max_delivery_failures: -1}\n")), "");
  EXPECT_NE(error_of(one_stage("    stall: {commit_timout: 5m}\n")).find("commit_timeout"),
            std::string::npos)
      << "a typo is named with the key it probably meant";
}

TEST(PipelineConfigEnv, ListsAcceptCommaSeparatedOrFlowSyntax) {
  PipelineConfig c = parse(one_stage(), {{"SLUICE_STAGE_INGEST_OUTPUTS", "a.out, b.out"},
                                         {"SLUICE_STAGE_INGEST_RETRY_DELAY_TOPICS", "[1s, 10s]"}});
  EXPECT_EQ(c.stages[0].outputs, (std::vector<std::string>{"a.out", "b.out"}));
  EXPECT_EQ(c.stages[0].retry.delay_topic_delays_ms, (std::vector<int64_t>{1000, 10000}));
}

TEST(PipelineConfigEnv, ProcessorOptionsAndBreakersCanBeOverridden) {
  PipelineConfig c =
      parse(one_stage("    options: {schema: a.json}\n    breakers: [{name: object-store}]\n"),
            {{"SLUICE_STAGE_INGEST_OPTIONS_SCHEMA", "b.json"},
             {"SLUICE_STAGE_INGEST_OPTIONS_STRICT_MODE", "true"},
             {"SLUICE_STAGE_INGEST_BREAKERS_OBJECT_STORE_OPEN", "1m"},
             {"SLUICE_STAGE_INGEST_BREAKERS_OBJECT_STORE_MINIMUM_CALLS", "3"}});
  const StageConfig& s = c.stages[0];
  EXPECT_EQ(s.options["schema"].as<std::string>(), "b.json");
  EXPECT_EQ(s.options["strict_mode"].as<bool>(), true);
  EXPECT_EQ(s.breakers[0].open_ms, 60000);
  EXPECT_EQ(s.breakers[0].minimum_calls, 3);
}

TEST(PipelineConfigEnv, AnOptionOverrideChangesOnlyItsOwnStageEvenWhenOptionsAreShared) {
  PipelineConfig c = parse(
      "pipeline: p\nstages:\n  - {name: a, input: t1, processor: x, options: &o {mode: slow}}\n"
      "  - {name: b, input: t2, processor: x, options: *o}\n",
      {{"SLUICE_STAGE_A_OPTIONS_MODE", "fast"}});
  EXPECT_EQ(c.stages[0].options["mode"].as<std::string>(), "fast");
  EXPECT_EQ(c.stages[1].options["mode"].as<std::string>(), "slow");
}

TEST(PipelineConfigEnv, AVariableMaySupplyARequiredKeyAndReshapeItsDefaults) {
  PipelineConfig c = parse("pipeline: p\nstages:\n  - name: a\n    processor: x\n",
                           {{"SLUICE_STAGE_A_INPUT", "from.env"}});
  EXPECT_EQ(c.stages[0].input, "from.env");
  EXPECT_EQ(c.stages[0].dlq.topic, "from.env.dlq");
}

TEST(PipelineConfigEnv, TheLongestMatchingStageNameWins) {
  PipelineConfig c = parse(
      "pipeline: p\nstages:\n  - {name: a, input: t1, processor: x}\n"
      "  - {name: a_b, input: t2, processor: x}\n",
      {{"SLUICE_STAGE_A_B_RETRY_MAX_ATTEMPTS", "9"}});
  EXPECT_EQ(c.stages[0].retry.max_attempts, 3);
  EXPECT_EQ(c.stages[1].retry.max_attempts, 9);
}

TEST(PipelineConfigEnv, BadValuesNameTheVariable) {
  EXPECT_EQ(error_of(one_stage(), {{"SLUICE_STAGE_INGEST_RETRY_MAX_ATTEMPTS", "many"}}),
            "environment variable SLUICE_STAGE_INGEST_RETRY_MAX_ATTEMPTS: "
            "stages[0].retry.max_attempts: expected a "
            "whole number, got 'many'; write a whole number from 1 to 1000000");
  EXPECT_STARTS_WITH(
      error_of(one_stage(), {{"SLUICE_BOOTSTRAP", "nohost"}}),
      "environment variable SLUICE_BOOTSTRAP: bootstrap: broker 'nohost' is not HOST:PORT");
}

TEST(PipelineConfigEnv, RulesAcrossKeysBrokenByAVariableNameTheVariable) {
  EXPECT_STARTS_WITH(error_of(one_stage(), {{"SLUICE_STAGE_INGEST_RETRY_MAX_BACKOFF_MS", "10"}}),
                     "environment variable SLUICE_STAGE_INGEST_RETRY_MAX_BACKOFF_MS: "
                     "stages[0].retry.max_backoff_ms: "
                     "10ms is less than initial_backoff_ms (100ms)");
}

TEST(PipelineConfigEnv, AStageVariableThatSetsNothingIsAnErrorWithASuggestion) {
  EXPECT_EQ(error_of(one_stage(), {{"SLUICE_STAGE_INGEST_RETRY_MAX_ATTEMPT", "5"}}),
            "environment variable SLUICE_STAGE_INGEST_RETRY_MAX_ATTEMPT: sets no setting of "
            "pipeline 'claims' "
            "(unknown stage or key); did you mean SLUICE_STAGE_INGEST_RETRY_MAX_ATTEMPTS?");
  EXPECT_STARTS_WITH(
      error_of(one_stage(), {{"SLUICE_STAGE_INGSET_QUEUE_MAX_IN_FLIGHT", "5"}}),
      "environment variable SLUICE_STAGE_INGSET_QUEUE_MAX_IN_FLIGHT: sets no setting");
  EXPECT_STARTS_WITH(error_of(one_stage(), {{"SLUICE_STAGE_INGEST_NAME", "other"}}),
                     "environment variable SLUICE_STAGE_INGEST_NAME: sets no setting")
      << "names are identities, not settings";
}

TEST(PipelineConfigEnv, OtherSluiceVariablesAndEmptyValuesAreIgnored) {
  PipelineConfig c = parse(one_stage(), {{"SLUICE_BIN", "/usr/bin/sluice"},
                                         {"SLUICE_BOOTSTRAP", ""},
                                         {"SLUICE_STAGE_INGEST_RETRY_MAX_ATTEMPTS", ""},
                                         {"PATH", "/bin"}});
  EXPECT_EQ(c.bootstrap, "127.0.0.1:9092");
  EXPECT_EQ(c.stages[0].retry.max_attempts, 3);
}

TEST(PipelineConfigEnv, TheProcessEnvironmentIsUsedWhenNoneIsInjected) {
  ::setenv("SLUICE_STAGE_INGEST_QUEUE_MAX_IN_FLIGHT", "42", 1);
  PipelineConfig c = parse_pipeline_config(one_stage(), "p.yaml");
  ::unsetenv("SLUICE_STAGE_INGEST_QUEUE_MAX_IN_FLIGHT");
  EXPECT_EQ(c.stages[0].queue.max_in_flight, 42);
  EXPECT_EQ(process_environment().count("SLUICE_STAGE_INGEST_QUEUE_MAX_IN_FLIGHT"), 0u);
}

// ---- value spellings ----

TEST(ConfigText, DurationsAreMillisecondsOrANumberWithAUnit) {
  EXPECT_EQ(parse_duration_ms("250"), 250);
  EXPECT_EQ(parse_duration_ms("250ms"), 250);
  EXPECT_EQ(parse_duration_ms("5s"), 5000);
  EXPECT_EQ(parse_duration_ms("5m"), 300000);
  EXPECT_EQ(parse_duration_ms("1h"), 3600000);
  EXPECT_EQ(parse_duration_ms("2d"), 172800000);
  EXPECT_EQ(parse_duration_ms("0"), 0);
  for (const char* bad :
       {"", "s", "-5s", "1.5s", "5 s", "5sec", "5S", "999999999999999999d", "1e3"}) {
    EXPECT_EQ(parse_duration_ms(bad), std::nullopt) << bad;
  }
}

TEST(ConfigText, SizesAreBytesOrANumberWithABinaryUnit) {
  EXPECT_EQ(parse_size_bytes("4096"), 4096);
  EXPECT_EQ(parse_size_bytes("4096B"), 4096);
  EXPECT_EQ(parse_size_bytes("64KiB"), 64 << 10);
  EXPECT_EQ(parse_size_bytes("64MiB"), 64 << 20);
  EXPECT_EQ(parse_size_bytes("1GiB"), 1 << 30);
  EXPECT_EQ(parse_size_bytes("2TiB"), int64_t(2) << 40);
  for (const char* bad : {"", "MiB", "64MB", "64mib", "-1", "64 MiB", "9999999999999999TiB"}) {
    EXPECT_EQ(parse_size_bytes(bad), std::nullopt) << bad;
  }
}

TEST(ConfigText, FormattingPicksTheLargestExactUnit) {
  EXPECT_EQ(format_duration_ms(300000), "5m");
  EXPECT_EQ(format_duration_ms(1500), "1500ms");
  EXPECT_EQ(format_duration_ms(0), "0ms");
  EXPECT_EQ(format_size_bytes(64 << 20), "64MiB");
  EXPECT_EQ(format_size_bytes(1000), "1000B");
}

TEST(ConfigText, TopicNamesFollowKafkasRules) {
  EXPECT_EQ(topic_name_problem("claims.events-v2_x"), "");
  EXPECT_NE(topic_name_problem(""), "");
  EXPECT_NE(topic_name_problem("."), "");
  EXPECT_NE(topic_name_problem(".."), "");
  EXPECT_NE(topic_name_problem("a b"), "");
  EXPECT_NE(topic_name_problem("a\nb"), "");
  EXPECT_EQ(topic_name_problem(std::string(249, 'x')), "");
  EXPECT_NE(topic_name_problem(std::string(250, 'x')), "");
}

TEST(ConfigText, SuggestionsOnlyForLikelyTypos) {
  std::vector<std::string> keys = {"max_attempts", "multiplier", "jitter"};
  EXPECT_EQ(closest_match("max_attemps", keys), "max_attempts");
  EXPECT_EQ(closest_match("JITTER", keys), "jitter");
  EXPECT_EQ(closest_match("colour", keys), std::nullopt);
  EXPECT_EQ(closest_match("", keys), std::nullopt);
}

TEST(ConfigText, QuotingEscapesControlCharactersAndTruncates) {
  EXPECT_EQ(quote_value("a\nb"), "'a\\x0ab'");
  EXPECT_EQ(quote_value(std::string(100, 'x')).size(), 80u + 5u);
}

// ---- robustness and documentation ----

TEST(PipelineConfigRobustness, HostileInputsGiveConfigErrorsNeverCrashes) {
  std::string deep(5000, '[');
  for (const std::string& text : std::vector<std::string>{
           "[", "{", ":", "- - -", "\t", std::string("a\0b", 3), "&a [*a]", "pipeline: &a [*a]\n",
           "stages: *nope\n", "pipeline: p\nstages: [&s {name: a, input: t, processor: x}, *s]\n",
           "pipeline: p\nstages:\n  - name: a\n    input: t\n    processor: x\n    options: &o "
           "{self: *o}\n",
           "? [a]\n: b\n", "~: 1\n", "pipeline: !!binary aGVsbG8=\n", deep,
           "%YAML 9.9\n---\na: 1\n", "pipeline: p\nstages:\n  - name: a\n    <<: {input: t}\n",
           "\xff\xfe\x00\x01", "--- |\n  text\n"}) {
    try {
      parse(text);
    } catch (const ConfigError&) {
    }
  }
}

TEST(PipelineConfigRobustness, RandomMutationsOfAValidFileNeverEscapeAsOtherExceptions) {
  std::string base = one_stage(
      "    retry: {max_attempts: 3, delay_topics: [5s, 30s]}\n"
      "    queue: {max_buffered_bytes: 64MiB}\n"
      "    breakers: [{name: http, window: 30s}]\n");
  const std::string alphabet = "[]{}:,-&*!|>'\"#%@`?\n \t0123456789abcxyzSMiB.\\";
  std::mt19937 rng(1234);
  for (int round = 0; round < 3000; ++round) {
    std::string text = base;
    int edits = 1 + int(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text[at] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          text.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
        default:
          text.erase(at, 1 + rng() % 8);
      }
      if (text.empty()) text = "x";
    }
    try {
      parse(text, {{"SLUICE_STAGE_INGEST_QUEUE_MAX_IN_FLIGHT", "7"}});
    } catch (const ConfigError&) {
    } catch (const std::exception& e) {
      FAIL() << "escaped " << e.what() << " for:\n" << text;
    }
  }
}

TEST(PipelineConfigDocs, EverySettingAndItsVariableIsDocumented) {
  std::string docs = read_file(kRepo / "docs/configuration.md");
  ASSERT_FALSE(docs.empty());
  for (const SettingDoc& s : documented_settings()) {
    std::string leaf =
        s.key.substr(s.key.rfind('.') == std::string::npos ? 0 : s.key.rfind('.') + 1);
    EXPECT_NE(docs.find("`" + s.key + "`"), std::string::npos)
        << "docs/configuration.md lacks `" << s.key << "`";
    if (!s.env.empty()) {
      EXPECT_NE(docs.find("`" + s.env + "`"), std::string::npos)
          << "docs/configuration.md lacks `" << s.env << "`";
    }
  }
}

}  // namespace
}  // namespace sluice::pipeline
