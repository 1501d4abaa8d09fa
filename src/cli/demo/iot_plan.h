// What `sluice demo-source --kind iot` produces, as a pure function of its
// options and the event number: the device, the event time, the record (key
// and JSON value) and what a correct pipeline does with it. The cases and the
// manifest are documented in docs/demo-source.md#iot-events.
//
// Invariants:
//  - IotPlan::event(n) is deterministic and needs no memory of past events.
//  - Event time advances by `interval_ms` per event from `start_ms`, so a run of
//    n events spans n * interval_ms of event time whatever the wall clock does.
//  - Each event draws its case from a hash of (seed, n): shares are met on
//    average, never by counting, so any prefix of a run has the same mix.
//  - A duplicate is byte-for-byte an earlier good event (key and value).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::cli::demo {

enum class IotCase {
  kGood,
  kOutOfOrder,  // event time behind the newest, but within the allowed lateness
  kLate,        // event time behind the watermark: its window has closed
  kDuplicate,   // an exact copy of an earlier good event
  // Bad input: the validation stage sends it to the DLQ.
  kValueOutOfRange,
  kBadBoolean,
  kMissingField,
  kWrongType,
  kMalformedJson,
  kBatteryOutOfRange,
  kSignalOutOfRange,
  kDurationOutOfRange,
  kUnknownDeviceType,
  kFarFuture,
};
inline constexpr int kIotBadCaseCount = 10;  // kValueOutOfRange .. kFarFuture

std::string_view iot_case_name(IotCase c);

struct IotOptions {
  uint64_t seed = 0;
  int64_t devices = 24;
  int64_t start_ms = 0;  // event time of event 0
  // Event time between consecutive events; fractional above 1,000 events/s (an
  // integer would round to 0 there and every event would share one time).
  double interval_ms = 20;
  int64_t lateness_ms = 120'000;  // the pipeline's allowed lateness (watermark delay)
  double bad_share = 0.02;
  double late_share = 0.01;
  double duplicate_share = 0.01;
  double disorder_share = 0.05;
};

struct IotEvent {
  int64_t number = 0;
  IotCase kind = IotCase::kGood;
  std::string key;            // the device id
  std::string value;          // the record's JSON (malformed for kMalformedJson)
  int64_t event_time_ms = 0;  // the instant its timestamp names (0 when it has none)
  std::string expected;       // "raw", "late", "duplicate" or "dlq"
  std::string rule;           // for "dlq": what a validator must say is wrong
  int64_t duplicate_of = -1;  // for kDuplicate: the event copied
};

class IotPlan {
 public:
  // Throws std::invalid_argument naming the flag when an option is out of range.
  explicit IotPlan(IotOptions options);

  IotEvent event(int64_t n) const;
  const IotOptions& options() const { return o_; }

 private:
  IotCase case_of(int64_t n) const;
  int64_t elapsed_ms(int64_t n) const { return int64_t(double(n) * o_.interval_ms); }
  IotEvent good(int64_t n, IotCase kind, int64_t event_time_ms) const;
  IotEvent bad(int64_t n, IotCase kind) const;

  IotOptions o_;
};

// One manifest line (JSON, no newline):
// {"n","key","case","expected","event_time","rule","duplicate_of"}.
std::string iot_manifest_line(const IotEvent& e);

// ISO 8601 with milliseconds, written at `offset_minutes` east of UTC ("Z" for
// 0 when `zulu`, "+00:00" otherwise) or with no offset at all when `bare`.
std::string iso8601(int64_t epoch_ms, int offset_minutes, bool zulu = true, bool bare = false);

}  // namespace sluice::cli::demo
