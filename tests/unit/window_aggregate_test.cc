// window-aggregate as an operator sees it: JSON records in, one JSON row per
// window and group out, late records to <input>.late, bad event times to the
// DLQ — and its state surviving a kill -9 between checkpoints exactly.
#include "stages/window_aggregate/window_aggregate.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <map>

#include "memory_checkpoint_store.h"
#include "ops/metrics.h"
#include "pipeline/state/partition_states.h"

namespace sluice::stages {
namespace {

using pipeline::OutputRecord;
using pipeline::Record;

// 2026-01-05T10:00:00Z plus minutes and seconds, as ISO-8601 text.
std::string at(int minute, int second, const std::string& offset = "Z") {
  char buf[64];
  std::snprintf(buf, sizeof buf, "2026-01-05T10:%02d:%02d%s", minute, second, offset.c_str());
  return buf;
}

pipeline::ProcessorContext context(const std::string& options,
                                   ops::MetricsRegistry* metrics = nullptr) {
  pipeline::ProcessorContext c;
  c.stage = "windows";
  c.processor = "window-aggregate";
  c.outputs = {"rows"};
  c.options = YAML::Load(options);
  c.metrics = metrics;
  return c;
}

const char* kTumbling = R"(
time_field: ts
size: 1m
group_by: [device]
aggregates:
  events: count
  total: sum(v)
  lo: min(v)
  hi: max(v)
  mean: avg(v)
  sd: stddev(v)
  weak: count_if(v < 2)
  first_v: first(v)
  last_v: last(v)
)";

struct Harness {
  int64_t now = 0;  // the wall clock the processor sees (idleness only)
  WindowAggregate processor;
  int64_t next_offset = 0;

  explicit Harness(const std::string& options, ops::MetricsRegistry* metrics = nullptr)
      : processor(context(options, metrics), [this] { return now; }) {}

  pipeline::Outcome send(const std::string& value, int32_t partition = 0,
                         const std::string& topic = "events") {
    Record r;
    r.topic = topic;
    r.partition = partition;
    r.offset = next_offset++;
    r.key = "k";
    r.value = value;
    return processor.process(r);
  }
  std::vector<OutputRecord> rows(const std::string& value, int32_t partition = 0) {
    pipeline::Outcome o = send(value, partition);
    EXPECT_TRUE(o.ok) << o.message;
    return o.outputs;
  }
};

std::string event(const std::string& device, const std::string& ts, double v) {
  return R"({"device":")" + device + R"(","ts":")" + ts + R"(","v":)" + std::to_string(int(v)) +
         "}";
}

TEST(WindowAggregate, TumblingWindowEmitsOneRowWhenTheWatermarkPassesItsEnd) {
  Harness h(kTumbling);
  EXPECT_TRUE(h.rows(event("d1", at(0, 30), 3)).empty());
  EXPECT_TRUE(h.rows(event("d1", at(0, 5, "+00:00"), 1)).empty());  // out of order, still open
  EXPECT_TRUE(h.rows(event("d1", "2026-01-05T12:00:50+02:00", 2)).empty());  // 10:00:50Z
  const auto out = h.rows(event("d1", at(1, 10), 5));  // watermark 10:01:10 passes 10:01:00
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "rows");
  EXPECT_EQ(out[0].key, R"(["d1"])");
  EXPECT_EQ(out[0].value,
            R"({"window_start":"2026-01-05T10:00:00Z","window_end":"2026-01-05T10:01:00Z",)"
            R"("device":"d1","events":3,"total":6,"lo":1,"hi":3,"mean":2,"sd":1,"weak":1,)"
            R"("first_v":1,"last_v":2})");
  // Never again: the next windows' rows only.
  EXPECT_TRUE(h.rows(event("d1", at(1, 20), 5)).empty());
}

TEST(WindowAggregate, IdFieldNamesTheWindowAndGroupTheSameForEveryCopy) {
  Harness h(std::string(kTumbling) + "id_field: window_id\n");
  h.rows(event("d1", at(0, 30), 3));
  const auto out = h.rows(event("d1", at(1, 10), 5));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(
      out[0].value.find(
          R"("window_end":"2026-01-05T10:01:00Z","window_id":"2026-01-05T10:00:00Z [\"d1\"]",)"
          R"("device":"d1")"),
      std::string::npos)
      << out[0].value;
  // A name the row already has cannot be the id.
  for (const char* taken : {"window_start", "device", "events"}) {
    EXPECT_THROW(Harness(std::string(kTumbling) + "id_field: " + taken + "\n"),
                 pipeline::OptionError)
        << taken;
  }
}

TEST(WindowAggregate, AllowedLatenessHoldsTheWindowOpen) {
  Harness h(std::string(kTumbling) + "allowed_lateness: 2m\n");
  h.rows(event("d1", at(0, 30), 1));
  EXPECT_TRUE(h.rows(event("d1", at(2, 59), 1)).empty());  // watermark 10:00:59
  EXPECT_TRUE(h.rows(event("d1", at(0, 40), 1)).empty());  // not late: counted
  const auto out = h.rows(event("d1", at(3, 0), 1));       // watermark 10:01:00
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].value.find(R"("events":2)"), std::string::npos) << out[0].value;
}

TEST(WindowAggregate, LateRecordsGoToTheLateTopicWithTheWindowTheyMissed) {
  ops::MetricsRegistry metrics;
  Harness h(kTumbling, &metrics);
  h.rows(event("d1", at(0, 30), 1));
  h.rows(event("d1", at(1, 30), 1));  // seals [10:00, 10:01)
  const std::string late = event("d1", at(0, 59), 7);
  const auto out = h.rows(late);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "events.late");
  EXPECT_EQ(out[0].value, late);
  EXPECT_EQ(out[0].key, "k");
  std::map<std::string, std::string> headers(out[0].headers.begin(), out[0].headers.end());
  EXPECT_EQ(headers["sluice.window.missed"], "2026-01-05T10:00:00Z/2026-01-05T10:01:00Z");
  EXPECT_EQ(headers["sluice.window.watermark"], "2026-01-05T10:01:30Z");
  EXPECT_EQ(metrics.counter("sluice_window_late_records_total", "", {{"stage", "windows"}}).value(),
            1);
  EXPECT_EQ(metrics.counter("sluice_window_rows_total", "", {{"stage", "windows"}}).value(), 1);
  // 2026-01-05T10:01:30Z: the highest event time, no lateness, one partition.
  EXPECT_EQ(metrics.gauge("sluice_window_watermark_seconds", "", {{"stage", "windows"}}).value(),
            1767607290);
}

// The emission delay: how long after its window could first close (end + allowed
// lateness, on the wall clock) a row went out. 0 when rows go out in time.
TEST(WindowAggregate, EmissionDelayIsTheWaitPastTheWindowsEndPlusLateness) {
  ops::MetricsRegistry metrics;
  Harness h(std::string(kTumbling) + "allowed_lateness: 2m\n", &metrics);
  auto delay = [&] {
    return metrics.gauge("sluice_window_emission_delay_seconds", "", {{"stage", "windows"}})
        .value();
  };
  const int64_t ten_o_three = 1767607380000;  // 2026-01-05T10:03:00Z: [10:00, 10:01) + 2m
  h.now = ten_o_three + 45000;
  h.rows(event("d1", at(0, 30), 1));
  h.rows(event("d1", at(1, 30), 1));
  EXPECT_EQ(delay(), 0);  // nothing emitted yet
  ASSERT_EQ(h.rows(event("d1", at(3, 0), 1)).size(), 1u);
  EXPECT_EQ(delay(), 45);
  h.now = ten_o_three + 60000 - 500;  // [10:01, 10:02) closes 0.5 s before it could: no delay
  ASSERT_EQ(h.rows(event("d1", at(4, 0), 1)).size(), 1u);
  EXPECT_EQ(delay(), 0);
}

TEST(WindowAggregate, DelayTopicPartitionsDoNotHoldTheWatermarkBack) {
  Harness h(kTumbling);
  // The stage is assigned its delay topics' partitions too; they never carry
  // window records, so they must not count as partitions without event time.
  h.processor.restore("events", 0, std::nullopt);
  h.processor.restore("events.retry.1", 0, std::nullopt);
  h.rows(event("d1", at(0, 30), 1));
  EXPECT_EQ(h.rows(event("d1", at(1, 30), 1)).size(), 1u);
  EXPECT_TRUE(h.processor.tick("events.retry.1", 0).empty());
  const auto o = h.send(event("d1", at(1, 40), 1), 0, "events.retry.1");
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.category, pipeline::ErrorCategory::kPermanent);
}

TEST(WindowAggregate, UpdateModeEmitsTheChangedWindowOnEveryRecord) {
  Harness h(std::string(kTumbling) + "mode: update\n");
  auto out = h.rows(event("d1", at(0, 10), 1));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].value.find(R"("events":1)"), std::string::npos);
  out = h.rows(event("d1", at(0, 20), 1));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].value.find(R"("events":2)"), std::string::npos);
  out = h.rows(event("d1", at(1, 20), 1));  // closes the first window: nothing more for it
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].value.find(R"("window_start":"2026-01-05T10:01:00Z")"), std::string::npos);
  EXPECT_NE(out[0].value.find(R"("events":1)"), std::string::npos);
}

TEST(WindowAggregate, UpdateModeOnHoppingWindowsEmitsEveryWindowOfTheRecord) {
  Harness h(std::string(kTumbling) + "slide: 20s\nmode: update\n");
  const auto out = h.rows(event("d1", at(1, 5), 1));
  ASSERT_EQ(out.size(), 3u);  // [10:00:20,10:01:20) [10:00:40,10:01:40) [10:01:00,10:02:00)
  EXPECT_NE(out[0].value.find(R"("window_start":"2026-01-05T10:00:20Z")"), std::string::npos);
  EXPECT_NE(out[2].value.find(R"("window_start":"2026-01-05T10:01:00Z")"), std::string::npos);
}

TEST(WindowAggregate, ARecordWithoutAReadableEventTimeFailsWithTheReason) {
  Harness h(kTumbling);
  auto o = h.send(R"({"device":"d1","v":1})");
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.category, pipeline::ErrorCategory::kValidation);
  EXPECT_NE(o.message.find("'ts' is missing"), std::string::npos) << o.message;
  o = h.send(R"({"device":"d1","ts":"2026-01-05T10:00","v":1})");
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.message.find("nor an ISO-8601 timestamp"), std::string::npos) << o.message;
  o = h.send(R"({"device":"d1","ts":true,"v":1})");
  EXPECT_FALSE(o.ok);
  o = h.send("not json");
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.message.find("not a JSON object"), std::string::npos) << o.message;
  o = h.send(R"({"device":"d1","ts":1767607200000,"v":"high"})");
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.message.find("'v' is \"high\", not a number"), std::string::npos) << o.message;
  // Epoch milliseconds, as a number or as text, are fine; a missing value is skipped.
  EXPECT_TRUE(h.send(R"({"device":"d1","ts":1767607200000,"v":1})").ok);
  EXPECT_TRUE(h.send(R"({"device":"d1","ts":"1767607200001"})").ok);
}

TEST(WindowAggregate, OptionsAreChecked) {
  EXPECT_THROW(Harness("time_field: ts\nsize: 1m\nslide: 2m\naggregates: {n: count}\n"),
               pipeline::OptionError);
  EXPECT_THROW(Harness("time_field: ts\nsize: 1m\naggregates: {n: median(v)}\n"),
               pipeline::OptionError);
  EXPECT_THROW(Harness("time_field: ts\nsize: 1m\naggregates: {n: count_if(v ~ 3)}\n"),
               pipeline::OptionError);
  EXPECT_THROW(Harness("size: 1m\naggregates: {n: count}\n"), pipeline::OptionError);
  EXPECT_THROW(Harness("time_field: ts\nsize: 1m\nmode: complete\naggregates: {n: count}\n"),
               pipeline::OptionError);
  try {
    Harness("time_field: ts\nsize: 1m\naggregates: {n: median(v)}\n");
  } catch (const pipeline::OptionError& e) {
    EXPECT_EQ(e.key(), "aggregates");
    EXPECT_NE(std::string(e.what()).find("unknown function 'median'"), std::string::npos);
  }
}

// ---- state: kill -9 between checkpoints ----

std::string numbered_event(int64_t i) {
  // Four devices, time moving forward by ~7 s per record with some disorder.
  const int64_t seconds = i * 7 - (i % 5) * 9;
  return R"({"device":"d)" + std::to_string(i % 4) + R"(","ts":)" +
         std::to_string(1767607200000 + seconds * 1000) + R"(,"v":)" + std::to_string(i % 11) + "}";
}

void run(WindowAggregate& p, int64_t from, int64_t to,
         std::map<int64_t, std::vector<std::string>>& out) {
  for (int64_t o = from; o < to; ++o) {
    Record r;
    r.topic = "events";
    r.offset = o;
    r.value = numbered_event(o);
    auto outcome = p.process(r);
    ASSERT_TRUE(outcome.ok);
    out[o].clear();
    for (const auto& x : outcome.outputs) out[o].push_back(x.topic + " " + x.value);
  }
}

TEST(WindowAggregate, WindowsSurviveAKillBetweenCheckpointsExactly) {
  const std::string options = std::string(kTumbling) + "slide: 20s\nallowed_lateness: 30s\n";
  std::map<int64_t, std::vector<std::string>> never_crashed;
  {
    WindowAggregate p(context(options), [] { return 0; });
    p.restore("events", 0, std::nullopt);
    run(p, 0, 300, never_crashed);
  }
  pipeline::MemoryCheckpointStore store;
  std::map<int64_t, std::vector<std::string>> crashed;
  {
    WindowAggregate p(context(options), [] { return 0; });
    pipeline::PartitionStates states("g", p, store);
    ASSERT_EQ(states.assigned("events", 0), std::nullopt);
    run(p, 0, 120, crashed);
    states.checkpoint("events", 0, 120);
    run(p, 120, 170, crashed);  // processed, then kill -9: no checkpoint
  }
  WindowAggregate p(context(options), [] { return 0; });
  pipeline::PartitionStates states("g", p, store);
  const auto resume = states.assigned("events", 0);
  ASSERT_EQ(resume, 120);
  run(p, *resume, 300, crashed);  // 120..169 again: the same outputs as the first time
  EXPECT_EQ(crashed, never_crashed);
  size_t rows = 0;
  for (const auto& [o, outs] : never_crashed) rows += outs.size();
  EXPECT_GT(rows, 50u);  // the test saw windows close, not just silence
}

TEST(WindowAggregate, StateWrittenUnderOtherOptionsIsRefusedNotMisread) {
  WindowAggregate before(context(kTumbling), [] { return 0; });
  before.restore("events", 0, std::nullopt);
  Record r;
  r.topic = "events";
  r.value = numbered_event(1);
  before.process(r);
  const pipeline::ProcessorState state = before.snapshot("events", 0);
  WindowAggregate after(context(std::string(kTumbling) + "slide: 30s\n"), [] { return 0; });
  try {
    after.restore("events", 0, state);
    FAIL() << "restored state of other options";
  } catch (const WindowStateError& e) {
    EXPECT_NE(std::string(e.what()).find("other window options"), std::string::npos);
  }
  EXPECT_THROW(
      before.restore("events", 0,
                     pipeline::ProcessorState(state.head.substr(0, state.head.size() - 3))),
      WindowStateError);
}

}  // namespace
}  // namespace sluice::stages
