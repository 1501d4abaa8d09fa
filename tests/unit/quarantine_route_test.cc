// quarantine-route as seed 003's quarantine reads: a tick sequence-check
// flagged, or one stamped outside 10:00-16:00 exchange time, goes to the
// quarantine topic as sent, with reason, time and severity; every other tick
// goes on; nothing is dropped.
#include "stages/quarantine_route/quarantine_route.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "pipeline/config_error.h"
#include "stages/sequence_check/symbol_control.h"

namespace sluice::stages {
namespace {

namespace control = symbol_control;
namespace header = pipeline::header;

pipeline::ProcessorContext context(const std::string& options) {
  pipeline::ProcessorContext c;
  c.stage = "quarantine";
  c.processor = "quarantine-route";
  c.outputs = {"ticks.clean"};
  c.options = YAML::Load(options);
  return c;
}

const char* const kOptions = "{quarantine_topic: market.quarantine.asx}";

pipeline::Record tick(const std::string& time, pipeline::Headers headers = {}) {
  pipeline::Record r;
  r.topic = "ticks.checked";
  r.partition = 3;
  r.offset = 17;
  r.key = "ASX.BHP";
  r.value = R"({"exchange":"ASX","symbol":"BHP","exchange_sequence_number":5,)"
            R"("exchange_timestamp":")" +
            time + R"(","price":45.1,"volume":100,"message_id":"ASX.BHP.5"})";
  r.headers = std::move(headers);
  return r;
}

const std::string* find(const pipeline::OutputRecord& out, const std::string& name) {
  for (const auto& [k, v] : out.headers)
    if (k == name) return &v;
  return nullptr;
}

TEST(QuarantineRoute, TicksInTradingHoursGoOnWithTheirOwnHeadersOnly) {
  QuarantineRoute route(context(kOptions));
  for (const char* time : {"2026-12-07T10:00:00.000+11:00", "2026-12-07T15:59:59.999+11:00"}) {
    const auto outcome =
        route.process(tick(time, {{"vendor", "x"}, {control::kClassification, "ok"}}));
    ASSERT_EQ(outcome.outputs.size(), 1u) << time;
    const auto& out = outcome.outputs[0];
    EXPECT_EQ(out.topic, "ticks.clean");
    EXPECT_EQ(out.key, "ASX.BHP");
    ASSERT_EQ(out.headers.size(), 1u);  // sluice.* headers describe one hop
    EXPECT_EQ(out.headers[0].first, "vendor");
  }
}

TEST(QuarantineRoute, OutsideTradingHoursByTheWrittenClockIsAWarning) {
  QuarantineRoute route(context(kOptions));
  // 16:00 Sydney is 05:00Z: the clock as written decides, not UTC.
  for (const char* time : {"2026-12-07T16:00:00.000+11:00", "2026-12-07T09:59:59.999+11:00"}) {
    const pipeline::Record in = tick(time);
    const auto outcome = route.process(in);
    ASSERT_EQ(outcome.outputs.size(), 1u);
    const auto& out = outcome.outputs[0];
    EXPECT_EQ(out.topic, "market.quarantine.asx");
    EXPECT_EQ(out.value, in.value);
    EXPECT_EQ(out.key, in.key);
    EXPECT_EQ(*find(out, header::kCategory), "outside_trading_hours");
    EXPECT_EQ(*find(out, control::kSeverity), "WARNING");
    EXPECT_EQ(*find(out, header::kStage), "quarantine");
    EXPECT_EQ(*find(out, header::kOriginalTopic), "ticks.checked");
    EXPECT_EQ(*find(out, header::kOriginalPartition), "3");
    EXPECT_EQ(*find(out, header::kOriginalOffset), "17");
    EXPECT_NE(find(out, header::kFirstFailedAt), nullptr);
    EXPECT_NE(find(out, header::kMessage)->find(time), std::string::npos);
  }
}

TEST(QuarantineRoute, ASequenceVerdictWinsAndKeepsItsSeverityAndHeaders) {
  QuarantineRoute route(context(kOptions));
  const auto outcome =
      route.process(tick("2026-12-07T11:00:00.000+11:00", {{control::kClassification, "large_gap"},
                                                           {control::kSeverity, "ERROR"},
                                                           {control::kGap, "150"},
                                                           {control::kPrevious, "41"}}));
  ASSERT_EQ(outcome.outputs.size(), 1u);
  const auto& out = outcome.outputs[0];
  EXPECT_EQ(out.topic, "market.quarantine.asx");
  EXPECT_EQ(*find(out, header::kCategory), "large_gap");
  EXPECT_EQ(*find(out, control::kSeverity), "ERROR");
  EXPECT_EQ(*find(out, control::kGap), "150");
  EXPECT_EQ(*find(out, header::kMessage),
            "sequence large_gap: 150 numbers missing (the high mark was 41)");
  int severities = 0;
  for (const auto& h : out.headers) severities += h.first == control::kSeverity;
  EXPECT_EQ(severities, 1);
}

TEST(QuarantineRoute, APriceJumpIsQuarantinedAsAWarningWithItsMoveInWords) {
  QuarantineRoute route(context(kOptions));
  const auto outcome = route.process(tick("2026-12-07T11:00:00.000+11:00",
                                          {{control::kClassification, "price_jump"},
                                           {control::kSeverity, "WARNING"},
                                           {control::kPrevious, "4"},
                                           {control::kPriceMove, "+15.0% from 39.2 (over 10%)"}}));
  ASSERT_EQ(outcome.outputs.size(), 1u);
  const auto& out = outcome.outputs[0];
  EXPECT_EQ(out.topic, "market.quarantine.asx");
  EXPECT_EQ(*find(out, header::kCategory), "price_jump");
  EXPECT_EQ(*find(out, control::kSeverity), "WARNING");
  EXPECT_EQ(*find(out, header::kMessage), "price jump: +15.0% from 39.2 (over 10%)");
  EXPECT_NE(find(out, header::kFirstFailedAt), nullptr);
}

TEST(QuarantineRoute, OptionsAreCheckedWhenTheStageStarts) {
  EXPECT_THROW(QuarantineRoute(context("{}")), pipeline::OptionError);
  EXPECT_THROW(QuarantineRoute(context("{quarantine_topic: q, trading_hours: '16:00-10:00'}")),
               pipeline::OptionError);
  QuarantineRoute late(context("{quarantine_topic: q, trading_hours: '07:00-19:00'}"));
  EXPECT_EQ(late.process(tick("2026-12-07T18:00:00+11:00")).outputs[0].topic, "ticks.clean");
}

}  // namespace
}  // namespace sluice::stages
