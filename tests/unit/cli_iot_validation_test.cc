// The IoT example's validation (examples/iot-events/iot-event.schema.json and
// the `validate` processor) against the IoT demo source: every event the source
// means to be bad is refused with the rule that catches it, and every other
// event passes, unchanged. Nothing is decided by the source's own labels alone.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <map>
#include <string>

#include "cli/demo/iot_plan.h"
#include "source_tree.h"
#include "stages/validate/validate_processor.h"

namespace sluice::stages {
namespace {

using cli::demo::IotCase;
using cli::demo::IotEvent;

std::unique_ptr<Validate> make_validator(const std::string& extra = "") {
  pipeline::ProcessorContext c;
  c.stage = "validate";
  c.processor = "validate";
  c.outputs = {"iot-events.valid"};
  c.options = YAML::Load(
      "{schema: " + testing::source_path("examples/iot-events/iot-event.schema.json").string() +
      ", event_time_field: timestamp" + extra + "}");
  return std::make_unique<Validate>(c);
}

pipeline::Outcome check(Validate& v, const std::string& value) {
  pipeline::Record r;
  r.topic = "iot-events";
  r.key = "device-000001";
  r.value = value;
  return v.process(r);
}

// What each bad case's refusal must say.
const std::map<IotCase, std::string> kReason = {
    {IotCase::kValueOutOfRange, "(rule: "},
    {IotCase::kBadBoolean, "is not one of enum [0, 1] (rule: "},
    {IotCase::kMissingField, "required property is missing"},
    {IotCase::kWrongType, ", got string"},
    {IotCase::kMalformedJson, "not valid JSON"},
    {IotCase::kBatteryOutOfRange, "$.battery_level: "},
    {IotCase::kSignalOutOfRange, "$.signal_strength: "},
    {IotCase::kDurationOutOfRange, "$.event_duration: "},
    {IotCase::kUnknownDeviceType, "$.device_type: is not one of enum"},
    {IotCase::kFarFuture, "is more than max_future"},
};

TEST(IotValidation, TheSourcesBadEventsAreRefusedWithTheirRuleAndTheRestPass) {
  auto validator = make_validator();
  cli::demo::IotOptions o;
  o.seed = 3;
  o.devices = 1000;
  o.start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count() -
               3'600'000;
  o.interval_ms = 100;
  o.bad_share = 0.3;
  o.late_share = 0.05;
  o.duplicate_share = 0.05;
  cli::demo::IotPlan plan(o);
  std::map<IotCase, int> refused;
  for (int64_t n = 0; n < 6000; ++n) {
    const IotEvent e = plan.event(n);
    const pipeline::Outcome out = check(*validator, e.value);
    if (e.expected != "dlq") {
      ASSERT_TRUE(out.ok) << cli::demo::iot_case_name(e.kind) << ": " << out.message << "\n"
                          << e.value;
      ASSERT_EQ(out.outputs.size(), 1u);
      EXPECT_EQ(out.outputs[0].value, e.value);
      EXPECT_EQ(out.outputs[0].topic, "iot-events.valid");
      continue;
    }
    ASSERT_FALSE(out.ok) << cli::demo::iot_case_name(e.kind) << " passed: " << e.value;
    EXPECT_EQ(out.category, pipeline::ErrorCategory::kValidation);
    EXPECT_NE(out.message.find(kReason.at(e.kind)), std::string::npos)
        << cli::demo::iot_case_name(e.kind) << ": " << out.message;
    ++refused[e.kind];
  }
  EXPECT_EQ(refused.size(), kReason.size());
}

TEST(IotValidation, ARangeRuleNamesTheDeviceTypeAndItsBounds) {
  auto v = make_validator();
  const pipeline::Outcome out = check(
      *v, R"({"device_id":"d","device_type":"smart_thermostat","timestamp":"2026-12-06T10:00:00Z",)"
          R"("location":"l","value":40,"unit":"celsius","event_duration":1})");
  ASSERT_FALSE(out.ok);
  EXPECT_NE(out.message.find("$.value: 40 is more than maximum 28 (rule: smart_thermostat value 16 "
                             "to 28)"),
            std::string::npos)
      << out.message;
}

TEST(IotValidation, TimestampsMustParseAndMaxFutureIsAnOption) {
  const std::string event =
      R"({"device_id":"d","device_type":"door_sensor","timestamp":"TS","location":"l",)"
      R"("value":1,"unit":"boolean","event_duration":1})";
  auto with = [&](const std::string& ts) {
    std::string e = event;
    e.replace(e.find("TS"), 2, ts);
    return e;
  };
  auto v = make_validator();
  EXPECT_TRUE(check(*v, with("2026-12-06T10:00:00+00:00")).ok);
  EXPECT_TRUE(check(*v, with("2026-12-06T10:00:00")).ok);
  const pipeline::Outcome bad = check(*v, with("06/12/2026 10:00"));
  ASSERT_FALSE(bad.ok);
  EXPECT_NE(bad.message.find("is not an ISO 8601 timestamp"), std::string::npos) << bad.message;
  auto strict = make_validator(", max_future: 0ms");
  EXPECT_FALSE(check(*strict, with("2099-01-01T00:00:00Z")).ok);
  EXPECT_THROW(make_validator(", max_future: soon"), pipeline::OptionError);
}

}  // namespace
}  // namespace sluice::stages
