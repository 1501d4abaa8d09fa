// The IoT demo source's plan (cli/demo/iot_plan.h): what each event is, and
// that the shares, ranges and timestamp spellings are what the docs promise.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <set>
#include <string>

#include "cli/demo/iot_devices.h"
#include "cli/demo/iot_plan.h"
#include "cli/support/datetime.h"

namespace sluice::cli::demo {
namespace {

constexpr int64_t kStart = 1'796'000'000'000;  // 2026-11-29T...Z
// A run may be validated long after its events' time (a benchmark with a fixed
// start): far-future events must still be a day ahead of the clock then.
constexpr int64_t kValidatedAt = kStart + 5 * 365 * 24 * 3600'000LL;

IotOptions options(double bad = 0.2) {
  IotOptions o;
  o.seed = 42;
  o.devices = 240;
  o.start_ms = kStart;
  o.interval_ms = 100;
  o.bad_share = bad;
  o.late_share = 0.05;
  o.duplicate_share = 0.05;
  o.disorder_share = 0.1;
  return o;
}

const DeviceType* type_named(std::string_view name) {
  for (const auto& t : device_types())
    if (t.name == name) return &t;
  return nullptr;
}

TEST(IotPlan, TheSameOptionsGiveTheSameEventsAndAnotherSeedOthers) {
  IotPlan a(options()), b(options());
  IotOptions other = options();
  other.seed = 43;
  IotPlan c(other);
  int differ = 0;
  for (int64_t n = 0; n < 500; ++n) {
    EXPECT_EQ(a.event(n).value, b.event(n).value);
    EXPECT_EQ(a.event(n).key, b.event(n).key);
    differ += a.event(n).value != c.event(n).value;
  }
  EXPECT_GT(differ, 450);
}

TEST(IotPlan, EveryCaseAppearsWithItsExpectedOutcome) {
  IotPlan plan(options());
  std::map<IotCase, int> seen;
  for (int64_t n = 0; n < 8000; ++n) {
    const IotEvent e = plan.event(n);
    ++seen[e.kind];
    switch (e.kind) {
      case IotCase::kGood:
      case IotCase::kOutOfOrder:
        EXPECT_EQ(e.expected, "raw");
        break;
      case IotCase::kLate:
        EXPECT_EQ(e.expected, "late");
        break;
      case IotCase::kDuplicate:
        EXPECT_EQ(e.expected, "duplicate");
        break;
      default:
        EXPECT_EQ(e.expected, "dlq") << iot_case_name(e.kind);
        EXPECT_FALSE(e.rule.empty()) << iot_case_name(e.kind);
    }
  }
  for (int c = int(IotCase::kGood); c <= int(IotCase::kFarFuture); ++c)
    EXPECT_GT(seen[IotCase(c)], 0) << iot_case_name(IotCase(c));
  // 20 % bad on average, as drawn per event.
  int bad = 0;
  for (const auto& [c, n] : seen) bad += int(c) >= int(IotCase::kValueOutOfRange) ? n : 0;
  EXPECT_NEAR(bad / 8000.0, 0.2, 0.03);
}

TEST(IotPlan, GoodEventsHoldTheSchemaAndTheirTypesRanges) {
  IotPlan plan(options(0));
  simdjson::dom::parser parser;
  std::set<char> zone_spellings;  // last char class: Z, +00:00 (0), other offsets (+/-), none
  for (int64_t n = 0; n < 2000; ++n) {
    const IotEvent e = plan.event(n);
    if (e.kind != IotCase::kGood && e.kind != IotCase::kOutOfOrder && e.kind != IotCase::kLate)
      continue;
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(e.value).get(doc), simdjson::SUCCESS) << e.value;
    std::string_view id, type, unit, ts, location;
    ASSERT_EQ(doc["device_id"].get(id), simdjson::SUCCESS);
    EXPECT_EQ(id, e.key);
    ASSERT_EQ(doc["device_type"].get(type), simdjson::SUCCESS);
    ASSERT_EQ(doc["unit"].get(unit), simdjson::SUCCESS);
    ASSERT_EQ(doc["location"].get(location), simdjson::SUCCESS);
    const DeviceType* t = type_named(type);
    ASSERT_NE(t, nullptr) << type;
    EXPECT_EQ(unit, t->unit);
    double value = 0;
    ASSERT_EQ(doc["value"].get(value), simdjson::SUCCESS) << e.value;
    EXPECT_GE(value, t->min);
    EXPECT_LE(value, t->max);
    if (t->boolean) {
      EXPECT_TRUE(value == 0 || value == 1) << e.value;
    }
    double duration = 0;
    ASSERT_EQ(doc["event_duration"].get(duration), simdjson::SUCCESS);
    EXPECT_GE(duration, 0.1);
    EXPECT_LE(duration, 3600);
    int64_t battery = 0, signal = 0;
    if (doc["battery_level"].get(battery) == simdjson::SUCCESS) {
      EXPECT_GE(battery, 0);
      EXPECT_LE(battery, 100);
    }
    if (doc["signal_strength"].get(signal) == simdjson::SUCCESS) {
      EXPECT_GE(signal, -120);
      EXPECT_LE(signal, -30);
    }
    ASSERT_EQ(doc["timestamp"].get(ts), simdjson::SUCCESS);
    // Every spelling names the event's instant.
    EXPECT_EQ(parse_datetime_ms(std::string(ts)), e.event_time_ms) << ts;
    if (ts.ends_with("Z"))
      zone_spellings.insert('Z');
    else if (ts.ends_with("+00:00"))
      zone_spellings.insert('0');
    else if (ts.size() > 6 && (ts[ts.size() - 6] == '+' || ts[ts.size() - 6] == '-'))
      zone_spellings.insert('+');
    else
      zone_spellings.insert('n');
  }
  EXPECT_EQ(zone_spellings, (std::set<char>{'Z', '0', '+', 'n'}));
}

TEST(IotPlan, LateAndOutOfOrderEventsLieWhereTheirNamesSay) {
  const IotOptions o = options();
  IotPlan plan(o);
  int late = 0, disorder = 0;
  for (int64_t n = 0; n < 8000; ++n) {
    const IotEvent e = plan.event(n);
    const int64_t now = o.start_ms + int64_t(double(n) * o.interval_ms);
    if (e.kind == IotCase::kLate) {
      ++late;
      // At least two minutes behind the watermark: a one-minute window closed a minute ago.
      EXPECT_LE(e.event_time_ms, now - o.lateness_ms - 120'000);
    } else if (e.kind == IotCase::kOutOfOrder) {
      ++disorder;
      EXPECT_LT(e.event_time_ms, now);
      EXPECT_GE(e.event_time_ms, now - o.lateness_ms / 2 - 1000);
    } else if (e.kind == IotCase::kGood) {
      EXPECT_EQ(e.event_time_ms, now);
    }
  }
  EXPECT_GT(late, 0);
  EXPECT_GT(disorder, 0);
}

TEST(IotPlan, AboveAThousandEventsASecondEventTimeStillAdvances) {
  IotOptions o = options(0);
  o.late_share = o.duplicate_share = o.disorder_share = 0;
  o.interval_ms = 1000.0 / 5000;  // --rate 5000: a fifth of a millisecond per event
  IotPlan plan(o);
  EXPECT_EQ(plan.event(0).event_time_ms, kStart);
  EXPECT_EQ(plan.event(5000).event_time_ms, kStart + 1000) << "one second per 5,000 events";
  EXPECT_EQ(plan.event(50).event_time_ms, kStart + 10);
}

TEST(IotPlan, NoEventIsLateBeforeThereIsAWatermarkToBeLateFor) {
  IotOptions o = options();
  o.late_share = 0.5;
  o.interval_ms = 10;  // 1000 events = 10 s of event time: nothing can be late yet
  IotPlan plan(o);
  for (int64_t n = 0; n < 1000; ++n) EXPECT_NE(plan.event(n).kind, IotCase::kLate);
}

TEST(IotPlan, ADuplicateRepeatsAnEarlierGoodEventByteForByte) {
  IotPlan plan(options());
  int dups = 0;
  for (int64_t n = 0; n < 4000; ++n) {
    const IotEvent e = plan.event(n);
    if (e.kind != IotCase::kDuplicate) continue;
    ++dups;
    ASSERT_GE(e.duplicate_of, 0);
    ASSERT_LT(e.duplicate_of, n);
    const IotEvent original = plan.event(e.duplicate_of);
    EXPECT_EQ(original.kind, IotCase::kGood);
    EXPECT_EQ(e.key, original.key);
    EXPECT_EQ(e.value, original.value);
  }
  EXPECT_GT(dups, 0);
}

TEST(IotPlan, EachBadCaseHasTheDefectItsRuleNames) {
  IotPlan plan(options(0.75));
  simdjson::dom::parser parser;
  std::set<IotCase> checked;
  for (int64_t n = 0; n < 3000; ++n) {
    const IotEvent e = plan.event(n);
    if (e.expected != "dlq") continue;
    simdjson::dom::element doc;
    const bool parses = parser.parse(e.value).get(doc) == simdjson::SUCCESS;
    EXPECT_EQ(parses, e.kind != IotCase::kMalformedJson) << e.value;
    if (!parses) {
      checked.insert(e.kind);
      continue;
    }
    std::string_view type;
    double value = 0;
    int64_t i = 0;
    switch (e.kind) {
      case IotCase::kValueOutOfRange: {
        ASSERT_EQ(doc["device_type"].get(type), simdjson::SUCCESS);
        ASSERT_EQ(doc["value"].get(value), simdjson::SUCCESS);
        const DeviceType* t = type_named(type);
        EXPECT_TRUE(value < t->min || value > t->max) << e.value;
        break;
      }
      case IotCase::kBadBoolean:
        ASSERT_EQ(doc["device_type"].get(type), simdjson::SUCCESS);
        EXPECT_TRUE(type_named(type)->boolean) << e.value;
        ASSERT_EQ(doc["value"].get(value), simdjson::SUCCESS);
        EXPECT_TRUE(value != 0 && value != 1) << e.value;
        break;
      case IotCase::kMissingField: {
        const std::string field = e.rule.substr(15, e.rule.find(' ', 15) - 15);
        EXPECT_EQ(doc[field].error(), simdjson::NO_SUCH_FIELD) << field << " " << e.value;
        break;
      }
      case IotCase::kBatteryOutOfRange:
        ASSERT_EQ(doc["battery_level"].get(i), simdjson::SUCCESS);
        EXPECT_TRUE(i < 0 || i > 100);
        break;
      case IotCase::kSignalOutOfRange:
        ASSERT_EQ(doc["signal_strength"].get(i), simdjson::SUCCESS);
        EXPECT_TRUE(i < -120 || i > -30);
        break;
      case IotCase::kFarFuture:
        EXPECT_GT(e.event_time_ms, kStart + 3000 * 100 + 24 * 3600'000LL - 1);
        EXPECT_GT(e.event_time_ms, kValidatedAt + 24 * 3600'000LL);
        break;
      default:
        break;
    }
    checked.insert(e.kind);
  }
  EXPECT_EQ(checked.size(), size_t(kIotBadCaseCount));
}

TEST(IotPlan, OptionsOutOfRangeAreRefusedNamingTheFlag) {
  IotOptions few = options();
  few.devices = 23;
  EXPECT_THROW(
      {
        try {
          IotPlan p(few);
        } catch (const std::invalid_argument& e) {
          EXPECT_NE(std::string(e.what()).find("--devices 23"), std::string::npos);
          throw;
        }
      },
      std::invalid_argument);
  IotOptions shares = options(0.9);
  EXPECT_THROW(IotPlan{shares}, std::invalid_argument);
}

TEST(IotPlan, TimestampsAreWrittenInTheOffsetAsked) {
  const int64_t t = 1'796'553'600'123;  // 2026-12-06T10:40:00.123Z
  EXPECT_EQ(iso8601(t, 0), "2026-12-06T10:40:00.123Z");
  EXPECT_EQ(iso8601(t, 0, false), "2026-12-06T10:40:00.123+00:00");
  EXPECT_EQ(iso8601(t, 330), "2026-12-06T16:10:00.123+05:30");
  EXPECT_EQ(iso8601(t, -300), "2026-12-06T05:40:00.123-05:00");
  EXPECT_EQ(iso8601(t, 0, false, true), "2026-12-06T10:40:00.123");
}

TEST(IotDevices, AFleetCoversEveryTypeAndDevicesAreStable) {
  std::set<std::string_view> types;
  for (int64_t i = 0; i < 24; ++i) types.insert(device(i).type->name);
  EXPECT_EQ(types.size(), 8u);
  EXPECT_EQ(device(42).id, "device-000042");
  EXPECT_EQ(device(42).location, device(42).location);
  EXPECT_EQ(device(999999).id, "device-999999");
}

}  // namespace
}  // namespace sluice::cli::demo
