#include "cli/demo/iot_plan.h"

#include <fmt/format.h>

#include <ctime>
#include <stdexcept>

#include "cli/demo/demo_plan.h"  // mix64
#include "cli/demo/iot_devices.h"
#include "common/json.h"

namespace sluice::cli::demo {
namespace {

constexpr int64_t kMinute = 60'000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kFarFutureSkew = 3652 * kDay;  // about ten years

// A number in [0, 1) from 53 bits of `bits`.
double unit(uint64_t bits) {
  return double(bits >> 11) * 0x1.0p-53;
}

// The independent draws of one event, each from its own stream.
struct Draws {
  uint64_t seed, n;
  uint64_t operator()(uint64_t stream) const { return mix64(seed ^ mix64(n * 64 + stream)); }
  double uniform(uint64_t stream) const { return unit((*this)(stream)); }
};

enum Stream : uint64_t {
  kCase = 1,
  kBadKind,
  kDevice,
  kValue,
  kBattery,
  kSignal,
  kDuration,
  kMetadata,
  kTimeFormat,
  kShift,
  kVariant,
};

// Good timestamps are written four ways, all naming the same instant: Z, +00:00,
// an offset other than zero, and no offset (read as UTC, as Spark does with a
// UTC session time zone). The original job could not parse the second.
std::string timestamp_text(int64_t ms, uint64_t pick) {
  switch (pick % 4) {
    case 0:
      return iso8601(ms, 0, true);
    case 1:
      return iso8601(ms, 0, false);
    case 2:
      return iso8601(ms, (pick / 4) % 2 ? 330 : -300);  // +05:30, -05:00
    default:
      return iso8601(ms, 0, false, true);
  }
}

std::string two_decimals(double v) {
  return fmt::format("{:.2f}", v);
}

// The fields of a good event, in the order they are written; bad cases edit them.
struct Fields {
  std::vector<std::pair<std::string, std::string>> items;  // key, JSON value
  void set(const std::string& key, std::string json) {
    for (auto& [k, v] : items) {
      if (k == key) {
        v = std::move(json);
        return;
      }
    }
    items.emplace_back(key, std::move(json));
  }
  void erase(const std::string& key) {
    std::erase_if(items, [&](const auto& kv) { return kv.first == key; });
  }
  std::string json() const {
    std::string out = "{";
    for (const auto& [k, v] : items) {
      if (out.size() > 1) out += ',';
      json::append_quoted(out, k);
      out += ':' + v;
    }
    return out + "}";
  }
};

Fields good_fields(const Device& d, const Draws& draw, int64_t event_time_ms) {
  Fields f;
  const DeviceType& t = *d.type;
  f.set("device_id", json::quote(d.id));
  f.set("device_type", json::quote(t.name));
  f.set("timestamp", json::quote(timestamp_text(event_time_ms, draw(kTimeFormat))));
  f.set("location", json::quote(d.location));
  const double u = draw.uniform(kValue);
  f.set("value", t.boolean ? (u < 0.5 ? "0" : "1") : two_decimals(t.min + u * (t.max - t.min)));
  f.set("unit", json::quote(t.unit));
  f.set("event_duration", fmt::format("{:.1f}", 0.1 + draw.uniform(kDuration) * 3599.9));
  // Optional fields, each present most of the time.
  if (uint64_t b = draw(kBattery); b % 100 < 85)
    f.set("battery_level", std::to_string(b / 100 % 101));
  if (uint64_t s = draw(kSignal); s % 100 < 85)
    f.set("signal_strength", std::to_string(-120 + int64_t(s / 100 % 91)));
  if (draw(kMetadata) % 100 < 20) f.set("metadata", R"({"firmware":"2.4.1","site":"demo"})");
  return f;
}

const char* const kRequired[] = {"device_id", "device_type", "timestamp",     "location",
                                 "value",     "unit",        "event_duration"};

}  // namespace

std::string_view iot_case_name(IotCase c) {
  switch (c) {
    case IotCase::kGood:
      return "good";
    case IotCase::kOutOfOrder:
      return "out_of_order";
    case IotCase::kLate:
      return "late";
    case IotCase::kDuplicate:
      return "duplicate";
    case IotCase::kValueOutOfRange:
      return "value_out_of_range";
    case IotCase::kBadBoolean:
      return "bad_boolean";
    case IotCase::kMissingField:
      return "missing_field";
    case IotCase::kWrongType:
      return "wrong_type";
    case IotCase::kMalformedJson:
      return "malformed_json";
    case IotCase::kBatteryOutOfRange:
      return "battery_out_of_range";
    case IotCase::kSignalOutOfRange:
      return "signal_out_of_range";
    case IotCase::kDurationOutOfRange:
      return "duration_out_of_range";
    case IotCase::kUnknownDeviceType:
      return "unknown_device_type";
    case IotCase::kFarFuture:
      return "far_future";
  }
  return "unknown";
}

std::string iso8601(int64_t epoch_ms, int offset_minutes, bool zulu, bool bare) {
  const int64_t local_ms = epoch_ms + int64_t(offset_minutes) * kMinute;
  int64_t secs = local_ms / 1000, millis = local_ms % 1000;
  if (millis < 0) {
    millis += 1000;
    secs -= 1;
  }
  std::time_t t = std::time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::string out =
      fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  if (bare) return out;
  if (offset_minutes == 0 && zulu) return out + "Z";
  const int m = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  return out + fmt::format("{}{:02}:{:02}", offset_minutes < 0 ? '-' : '+', m / 60, m % 60);
}

IotPlan::IotPlan(IotOptions options) : o_(options) {
  if (o_.devices < kMinDevices || o_.devices > kMaxDevices)
    throw std::invalid_argument(fmt::format("--devices {} must be between {} and {}", o_.devices,
                                            kMinDevices, kMaxDevices));
  if (o_.interval_ms < 0) throw std::invalid_argument("--event-interval must not be negative");
  const double shares = o_.bad_share + o_.late_share + o_.duplicate_share + o_.disorder_share;
  if (o_.bad_share < 0 || o_.late_share < 0 || o_.duplicate_share < 0 || o_.disorder_share < 0 ||
      shares > 1)
    throw std::invalid_argument(fmt::format(
        "--bad-share, --late-share, --duplicate-share and --disorder-share must each be at least "
        "0 and add up to at most 1 (they add up to {})",
        shares));
}

IotCase IotPlan::case_of(int64_t n) const {
  const Draws draw{o_.seed, uint64_t(n)};
  double u = draw.uniform(kCase);
  if (u < o_.bad_share)
    return IotCase(int(IotCase::kValueOutOfRange) + int(draw(kBadKind) % kIotBadCaseCount));
  u -= o_.bad_share;
  if (u < o_.late_share) return IotCase::kLate;
  u -= o_.late_share;
  if (u < o_.duplicate_share) return IotCase::kDuplicate;
  u -= o_.duplicate_share;
  if (u < o_.disorder_share) return IotCase::kOutOfOrder;
  return IotCase::kGood;
}

IotEvent IotPlan::event(int64_t n) const {
  const Draws draw{o_.seed, uint64_t(n)};
  const int64_t now = o_.start_ms + elapsed_ms(n);
  IotCase kind = case_of(n);
  // A late event lies 2 to 10 minutes behind the watermark: with one-minute
  // windows its window closed at least a minute before. Until that much event
  // time has passed there is nothing to be late for.
  const int64_t late_by = 2 * kMinute + int64_t(draw(kShift) % uint64_t(8 * kMinute));
  if (kind == IotCase::kLate && elapsed_ms(n) < o_.lateness_ms + late_by) kind = IotCase::kGood;
  // A duplicate copies the nearest earlier good event; the very first has none.
  if (kind == IotCase::kDuplicate) {
    for (int64_t m = n - 1; m >= 0 && m >= n - 1000; --m) {
      if (case_of(m) != IotCase::kGood) continue;
      IotEvent copy = event(m);
      copy.number = n;
      copy.kind = IotCase::kDuplicate;
      copy.expected = "duplicate";
      copy.duplicate_of = m;
      return copy;
    }
    kind = IotCase::kGood;
  }
  switch (kind) {
    case IotCase::kGood:
      return good(n, kind, now);
    case IotCase::kOutOfOrder:  // behind the newest by up to half the allowed lateness
      return good(n, kind, now - 1000 - int64_t(draw(kShift) % uint64_t(o_.lateness_ms / 2)));
    case IotCase::kLate:
      return good(n, kind, now - o_.lateness_ms - late_by);
    default:
      return bad(n, kind);
  }
}

IotEvent IotPlan::good(int64_t n, IotCase kind, int64_t event_time_ms) const {
  const Draws draw{o_.seed, uint64_t(n)};
  const Device d = device(int64_t(draw(kDevice) % uint64_t(o_.devices)));
  IotEvent e{n,
             kind,
             d.id,
             good_fields(d, draw, event_time_ms).json(),
             event_time_ms,
             kind == IotCase::kLate ? "late" : "raw",
             "",
             -1};
  return e;
}

IotEvent IotPlan::bad(int64_t n, IotCase kind) const {
  const Draws draw{o_.seed, uint64_t(n)};
  const int64_t now = o_.start_ms + elapsed_ms(n);
  int64_t index = int64_t(draw(kDevice) % uint64_t(o_.devices));
  if (kind == IotCase::kBadBoolean) {  // the nearest boolean device: types 3, 6 and 7
    index -= index % 8;
    index += (draw(kVariant) % 3 == 0) ? 3 : (draw(kVariant) % 3 == 1 ? 6 : 7);
    if (index >= o_.devices) index -= 8;
  }
  const Device d = device(index);
  const DeviceType& t = *d.type;
  Fields f = good_fields(d, draw, now);
  IotEvent e{n, kind, d.id, "", now, "dlq", "", -1};
  const uint64_t variant = draw(kVariant);
  switch (kind) {
    case IotCase::kValueOutOfRange: {
      const double span = t.max - t.min;
      const double v = variant % 2 ? t.max + span * 0.5 + 1 : t.min - span * 0.5 - 1;
      f.set("value", two_decimals(v));
      e.rule = fmt::format("value must be between {} and {} for {}", t.min, t.max, t.name);
      break;
    }
    case IotCase::kBadBoolean:
      f.set("value", variant % 2 ? "2" : "0.5");
      e.rule = fmt::format("value must be 0 or 1 for {}", t.name);
      break;
    case IotCase::kMissingField: {
      const std::string missing = kRequired[variant % std::size(kRequired)];
      f.erase(missing);
      if (missing == "timestamp") e.event_time_ms = 0;
      e.rule = "required field " + missing + " is missing";
      break;
    }
    case IotCase::kWrongType:
      if (variant % 2) {
        f.set("value", "\"high\"");
        e.rule = "value must be a number";
      } else {
        f.set("battery_level", "\"full\"");
        e.rule = "battery_level must be an integer";
      }
      break;
    case IotCase::kMalformedJson: {
      std::string text = f.json();
      e.value = text.substr(0, text.size() / 2);
      e.rule = "not valid JSON";
      return e;
    }
    case IotCase::kBatteryOutOfRange:
      f.set("battery_level", variant % 2 ? "150" : "-5");
      e.rule = "battery_level must be between 0 and 100";
      break;
    case IotCase::kSignalOutOfRange:
      f.set("signal_strength", variant % 2 ? "-10" : "-200");
      e.rule = "signal_strength must be between -120 and -30";
      break;
    case IotCase::kDurationOutOfRange:
      f.set("event_duration", variant % 2 ? "7200.0" : "0.0");
      e.rule = "event_duration must be between 0.1 and 3600";
      break;
    case IotCase::kUnknownDeviceType:
      f.set("device_type", "\"toaster\"");
      e.rule = "device_type toaster is not one of the eight known types";
      break;
    case IotCase::kFarFuture:
      // Ten years ahead (a device clock gone wrong), not days: a validator
      // compares with its own clock, and a run dated in the past (a benchmark's
      // fixed start) must still have none that pass, whenever it is validated.
      e.event_time_ms = now + kFarFutureSkew + int64_t(variant % uint64_t(29 * kDay));
      f.set("timestamp", json::quote(iso8601(e.event_time_ms, 0)));
      e.rule = "timestamp is more than a day in the future";
      break;
    default:
      break;
  }
  e.value = f.json();
  return e;
}

std::string iot_manifest_line(const IotEvent& e) {
  json::JsonWriter w;
  w.begin_object().field("n", e.number).field("key", e.key);
  w.field("case", std::string(iot_case_name(e.kind))).field("expected", e.expected);
  w.key("event_time");
  e.event_time_ms > 0 ? w.value(iso8601(e.event_time_ms, 0)) : w.null();
  w.key("rule");
  e.rule.empty() ? w.null() : w.value(e.rule);
  w.key("duplicate_of");
  e.duplicate_of >= 0 ? w.value(e.duplicate_of) : w.null();
  return w.end_object().str();
}

}  // namespace sluice::cli::demo
