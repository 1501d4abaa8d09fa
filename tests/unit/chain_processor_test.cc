// `chain`, as an operator meets it: the steps of one stage behave exactly as
// the same processors in separate stages would — the same outputs, the same
// late records, failures named by step — while their states are checkpointed
// together and refused when the chain they were written by has changed.
#include "stages/chain/chain_processor.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <stdexcept>

#include "pipeline/pipeline_config.h"
#include "pipeline/processor.h"
#include "stages/builtin.h"
#include "stages/sequence_check/symbol_control.h"
#include "stages/window_aggregate/window_aggregate.h"

namespace sluice::stages {
namespace {

using pipeline::Outcome;
using pipeline::OutputRecord;
using pipeline::ProcessorState;
using pipeline::Record;

// A stateful test step: counts its records and, on a tick, releases the
// count as one output ("bad" once it has counted three, for a later step to
// refuse).
class TickingCounter : public pipeline::Processor, public pipeline::StatefulProcessor {
 public:
  explicit TickingCounter(const pipeline::ProcessorContext& c) : output_(c.outputs.at(0)) {}
  Outcome process(const Record&) override {
    ++count_;
    return Outcome::success();
  }
  StatefulProcessor* stateful() override { return this; }
  void restore(const std::string&, int32_t, const std::optional<ProcessorState>& state) override {
    count_ = state ? std::stoi(state->head) : 0;
  }
  ProcessorState snapshot(const std::string&, int32_t) override { return std::to_string(count_); }
  void release(const std::string&, int32_t) override { count_ = 0; }
  std::vector<OutputRecord> tick(const std::string&, int32_t) override {
    return {{output_, std::nullopt, count_ >= 3 ? "bad" : std::to_string(count_), {}}};
  }

 private:
  std::string output_;
  int count_ = 0;
};

// A stateless test step that refuses the value "bad" and passes the rest on.
class RefuseBad : public pipeline::Processor {
 public:
  explicit RefuseBad(const pipeline::ProcessorContext& c) : output_(c.outputs.at(0)) {}
  Outcome process(const Record& r) override {
    if (r.value == "bad")
      return Outcome::failure(pipeline::ErrorCategory::kValidation, "value is bad");
    return Outcome::success({{output_, r.key, r.value, r.headers}});
  }

 private:
  std::string output_;
};

// A stateless test step that writes the names of the headers it was given.
class ShowHeaders : public pipeline::Processor {
 public:
  explicit ShowHeaders(const pipeline::ProcessorContext& c) : output_(c.outputs.at(0)) {}
  Outcome process(const Record& r) override {
    std::string names;
    for (const auto& h : r.headers) names += h.first + ";";
    return Outcome::success({{output_, r.key, names, {}}});
  }

 private:
  std::string output_;
};

// A stateless test step standing for a decoder: "enc:" + JSON in, the JSON
// out; anything else is refused, as avro-decode refuses bytes that are not Avro.
class TestDecode : public pipeline::Processor {
 public:
  explicit TestDecode(const pipeline::ProcessorContext& c) : output_(c.outputs.at(0)) {}
  Outcome process(const Record& r) override {
    if (!r.value.starts_with("enc:"))
      return Outcome::failure(pipeline::ErrorCategory::kValidation, "not encoded");
    return Outcome::success({{output_, r.key, r.value.substr(4), r.headers}});
  }

 private:
  std::string output_;
};

void register_processors() {
  register_builtin_processors();
  auto& registry = pipeline::ProcessorRegistry::instance();
  registry.add("test-ticking-counter", {}, [](const pipeline::ProcessorContext& c) {
    return std::make_unique<TickingCounter>(c);
  });
  registry.add("test-show-headers", {}, [](const pipeline::ProcessorContext& c) {
    return std::make_unique<ShowHeaders>(c);
  });
  registry.add("test-decode", {},
               [](const pipeline::ProcessorContext& c) { return std::make_unique<TestDecode>(c); });
  registry.add("test-refuse-bad", {},
               [](const pipeline::ProcessorContext& c) { return std::make_unique<RefuseBad>(c); });
}

const char* kWindows = R"({time_field: ts, size: 1m, allowed_lateness: 1m, group_by: [device],
  aggregates: {events: count, total: sum(v)}})";

pipeline::ProcessorContext context(const std::string& options) {
  register_processors();
  pipeline::ProcessorContext c;
  c.stage = "fused";
  c.processor = "chain";
  c.outputs = {"rows"};
  c.options = YAML::Load(options);
  c.dead_letter_topic = "events.dlq";
  return c;
}

std::string chain_of(const std::string& first, const std::string& second,
                     const std::string& second_options = "{}") {
  return "{steps: [{processor: " + first + "}, {processor: " + second +
         ", options: " + second_options + "}]}";
}

Record event(int64_t offset, const std::string& value) {
  Record r;
  r.topic = "events";
  r.partition = 0;
  r.offset = offset;
  r.key = "d-1";
  r.value = value;
  return r;
}

// Events of one device: minute 0 and 1, then minute 3 (closing minute 0), then
// minute 0 again (behind the watermark: late).
std::vector<Record> device_events() {
  return {event(0, R"({"device":"d-1","ts":"2026-01-05T10:00:10Z","v":1})"),
          event(1, R"({"device":"d-1","ts":"2026-01-05T10:00:20Z","v":2})"),
          event(2, R"({"device":"d-1","ts":"2026-01-05T10:01:05Z","v":4})"),
          event(3, R"({"device":"d-1","ts":"2026-01-05T10:03:00Z","v":8})"),
          event(4, R"({"device":"d-1","ts":"2026-01-05T10:00:30Z","v":16})")};
}

std::vector<std::pair<std::string, std::string>> outputs_of(pipeline::Processor& p,
                                                            const std::vector<Record>& records) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Record& r : records) {
    Outcome o = p.process(r);
    EXPECT_TRUE(o.ok) << o.message;
    for (const OutputRecord& x : o.outputs) out.emplace_back(x.topic, x.value);
  }
  return out;
}

TEST(Chain, ProducesWhatTheSameProcessorsInSeparateStagesWouldAndNothingBetweenThem) {
  Chain chain(context(chain_of("passthrough", "window-aggregate", kWindows)));
  ASSERT_NE(chain.stateful(), nullptr);
  chain.restore("events", 0, std::nullopt);

  pipeline::ProcessorContext alone = context(kWindows);
  alone.processor = "window-aggregate";
  WindowAggregate windows(alone);
  windows.restore("events", 0, std::nullopt);

  const auto fused = outputs_of(chain, device_events());
  EXPECT_EQ(fused, outputs_of(windows, device_events()));
  // Two windows closed and one record was late: on the stage's outputs and on
  // `<input>.late`, never on the link between the steps.
  ASSERT_EQ(fused.size(), 3u);
  EXPECT_EQ(fused[0].first, "rows");
  EXPECT_EQ(fused[2].first, "events.late");
}

// A filter (passthrough, validate) hands the consumed record itself to the
// next step, not a copy; what the next step sees must not depend on that.
TEST(Chain, AFilterStepHandsOnWhatItsOutputWouldHaveBeen) {
  Chain chain(context(chain_of("passthrough", "test-show-headers")));
  Record plain = event(0, "{}");
  plain.headers = {{"app", "1"}, {std::string(pipeline::header::kTraceId), "t"}};
  Outcome o = chain.process(plain);
  ASSERT_TRUE(o.ok) << o.message;
  ASSERT_EQ(o.outputs.size(), 1u);
  EXPECT_EQ(o.outputs[0].value, "app;sluice.trace_id;");

  // A replayed record carries the runtime's headers, which a hop drops.
  Record replayed = plain;
  replayed.headers.emplace_back(pipeline::header::kAttempts, "3");
  o = chain.process(replayed);
  ASSERT_TRUE(o.ok) << o.message;
  EXPECT_EQ(o.outputs.at(0).value, "app;sluice.trace_id;");
}

TEST(Chain, AFailingStepFailsTheConsumedRecordNamingTheStep) {
  Chain chain(context(chain_of("passthrough", "window-aggregate", kWindows)));
  chain.restore("events", 0, std::nullopt);
  Outcome o = chain.process(event(0, R"({"device":"d-1","v":1})"));
  EXPECT_FALSE(o.ok);
  EXPECT_TRUE(o.outputs.empty());
  EXPECT_EQ(o.message.rfind("step 2 (window-aggregate): ", 0), 0u) << o.message;
}

TEST(Chain, StatefulStepsAreCheckpointedTogetherAndRestoreExactly) {
  const std::string two_counters = chain_of("test-ticking-counter", "count-by-key");
  Chain before(context(two_counters));
  before.restore("events", 0, std::nullopt);
  outputs_of(before, {event(0, "a"), event(1, "b")});
  const auto released_before = before.tick("events", 0);
  const ProcessorState state = before.snapshot("events", 0);

  // A kill -9 here: a new process restores the checkpoint and goes on.
  Chain after(context(two_counters));
  after.restore("events", 0, state);
  EXPECT_EQ(after.snapshot("events", 0).head, state.head);

  Chain uninterrupted(context(two_counters));
  uninterrupted.restore("events", 0, std::nullopt);
  outputs_of(uninterrupted, {event(0, "a"), event(1, "b")});
  uninterrupted.tick("events", 0);
  EXPECT_EQ(uninterrupted.snapshot("events", 0).head, state.head);
  // The counter's tick went through count-by-key: its count of the released
  // record is on the stage's output.
  ASSERT_EQ(released_before.size(), 1u);
  EXPECT_EQ(released_before[0].topic, "rows");
  EXPECT_NE(released_before[0].value.find("\"count\": 1,"), std::string::npos)
      << released_before[0].value;
}

TEST(Chain, AStateWrittenByAnotherChainIsRefusedWithTheDifference) {
  Chain written(context(chain_of("test-ticking-counter", "count-by-key")));
  written.restore("events", 0, std::nullopt);
  const ProcessorState state = written.snapshot("events", 0);

  Chain changed(context(chain_of("passthrough", "count-by-key")));
  try {
    changed.restore("events", 0, state);
    FAIL() << "a state of another chain was restored";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("events/0 cannot be restored into this chain"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("holds 2 stateful steps, the chain has 1"),
              std::string::npos)
        << e.what();
  }
  Chain reordered(context(chain_of("count-by-key", "test-ticking-counter")));
  EXPECT_THROW(reordered.restore("events", 0, state), std::runtime_error);
  EXPECT_THROW(reordered.restore("events", 0, std::string("SLCHAIN1\0\0", 10)), std::runtime_error);
}

TEST(Chain, WhatATickReleasesALaterStepRefusesGoesToTheDlqAlone) {
  Chain chain(context(chain_of("test-ticking-counter", "test-refuse-bad")));
  chain.restore("events", 0, std::nullopt);
  outputs_of(chain, {event(0, "a"), event(1, "b"), event(2, "c")});
  const auto released = chain.tick("events", 0);
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0].topic, "events.dlq");
  EXPECT_EQ(released[0].value, "bad");
  const std::string* message = nullptr;
  for (const auto& [k, v] : released[0].headers) {
    if (k == pipeline::header::kMessage) message = &v;
  }
  ASSERT_NE(message, nullptr);
  EXPECT_EQ(*message, "step 2 (test-refuse-bad): value is bad");
}

// The market-ticks `check` stage's shape: a decoder in front of sequence-check.
TEST(Chain, AnOperatorsCommandSkipsTheDecoderAndAParkedTickKeepsTheBytesRead) {
  Chain chain(context(
      R"({steps: [{processor: test-decode}, {processor: sequence-check, options: {
          key_fields: [exchange, symbol], sequence_field: seq, time_field: ts}}]})"));
  chain.restore("events", 0, std::nullopt);
  const std::string tick =
      R"({"exchange":"ASX","symbol":"BHP","seq":1,"ts":1767607200000000,"message_id":"m1"})";
  Outcome first = chain.process(event(0, "enc:" + tick));
  ASSERT_TRUE(first.ok) << first.message;
  ASSERT_EQ(first.outputs.size(), 1u);
  EXPECT_EQ(first.outputs[0].value, tick) << "decoded, then checked";

  // `sluice symbols halt` writes a command record into the stage's input: not
  // encoded, so the decoder would refuse it; it goes straight to sequence-check.
  const OutputRecord command =
      symbol_control::command_record("events", 0, "ASX.BHP", "halt", "test");
  Record halt = event(1, command.value);
  halt.key = command.key;
  halt.headers = command.headers;
  Outcome halted = chain.process(halt);
  ASSERT_TRUE(halted.ok) << halted.message;
  ASSERT_EQ(halted.outputs.size(), 1u);
  EXPECT_EQ(halted.outputs[0].topic, "events.symbols");

  // The halted symbol's next tick is parked as the stage read it, so that
  // replaying it into the input enters the chain at the decoder again.
  const std::string next =
      std::string("enc:") +
      R"({"exchange":"ASX","symbol":"BHP","seq":2,"ts":1767607260000000,"message_id":"m2"})";
  Outcome parked = chain.process(event(2, next));
  ASSERT_TRUE(parked.ok) << parked.message;
  ASSERT_EQ(parked.outputs.size(), 1u);
  EXPECT_EQ(parked.outputs[0].topic, "events.parked");
  EXPECT_EQ(parked.outputs[0].value, next);
}

std::string create_error(const std::string& options) {
  try {
    Chain chain(context(options));
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(Chain, MisconfiguredStepsAreRefusedWithWhatToWrite) {
  EXPECT_NE(create_error("{steps: [{processor: passthrough}]}").find("two or more steps"),
            std::string::npos);
  EXPECT_NE(create_error("{steps: [{processor: passthrough}, {options: {}}]}")
                .find("steps[1] has no `processor: NAME`"),
            std::string::npos);
  EXPECT_NE(
      create_error("{steps: [{processor: passthrough, state_store: s}, {processor: passthrough}]}")
          .find("unknown key 'state_store'"),
      std::string::npos);
  EXPECT_NE(create_error(
                "{steps: [{processor: passthrough}, {processor: table-sink, options: {store: /tmp, "
                "table: t, columns: {a: string}}}]}")
                .find("is a durable sink, which cannot run inside a chain"),
            std::string::npos);
  EXPECT_NE(create_error("{steps: [{processor: passthrough}, {processor: no-such}]}")
                .find("unknown processor 'no-such'"),
            std::string::npos);
  EXPECT_EQ(Chain(context(chain_of("passthrough", "passthrough"))).stateful(), nullptr);
}

TEST(Chain, APipelineFileWithAChainNamesTheLineOfAStepsBadOption) {
  register_processors();
  const std::string yaml =
      "pipeline: p\n"
      "stages:\n"
      "  - name: s\n"
      "    input: in\n"
      "    outputs: [out]\n"
      "    processor: chain\n"
      "    options:\n"
      "      steps:\n"
      "        - processor: passthrough\n"
      "        - processor: fault-injector\n"
      "          options:\n"
      "            dependency_down_fil: /tmp/x\n";
  pipeline::Environment env;
  auto config = pipeline::parse_pipeline_config(yaml, "p.yaml", &env);
  try {
    pipeline::ProcessorRegistry::instance().create(
        "chain", processor_context(config, config.stages.front(), nullptr));
    FAIL() << "the misspelt option was accepted";
  } catch (const pipeline::ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(
                  "p.yaml:12: stage 's' (processor fault-injector): unknown option "
                  "'dependency_down_fil'",
                  0),
              0u)
        << e.what();
  }
}

}  // namespace
}  // namespace sluice::stages
