// Aggregate functions over a window's records, as combinable partial states.
//
// A window is the union of its panes (window_layout.h), so every aggregate is
// kept as a partial state per pane that two panes can be merged into: count,
// sum and min/max trivially; avg as (n, sum); stddev as (n, shift, mean, M2)
// updated with Welford's method and merged with Chan et al.'s pairwise formula,
// which stays accurate where the naive sum-of-squares cancels catastrophically
// — the mean kept relative to the first value seen (the shift), so values like
// 1e9 ± 1 differ from it exactly and keep every digit of their spread;
// first/last as (event time, value).
//
// Invariant: folding records into one Accumulator, or into several and merging
// them in event-time order of their panes, gives the same result (up to
// floating-point rounding for sum/avg/stddev). Ties in event time keep the
// record processed first for `first` and the one processed last for `last`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::stages {

enum class AggregateFn { kCount, kSum, kMin, kMax, kAvg, kStddev, kCountIf, kFirst, kLast };

// `field OP number`, the condition of count_if (e.g. battery_level < 20).
struct Condition {
  enum class Op { kLt, kLe, kGt, kGe, kEq, kNe } op = Op::kLt;
  std::string field;
  double value = 0;

  bool holds(double x) const;
  // Parses "battery_level < 20"; nullopt if the text is not FIELD OP NUMBER.
  static std::optional<Condition> parse(const std::string& text);
};

struct AggregateSpec {
  std::string name;  // the output field
  AggregateFn fn = AggregateFn::kCount;
  std::string field;  // the input field (empty for count)
  Condition when;     // count_if only

  // Whether the function reads a number from `field` (sum, min, max, avg, stddev).
  bool numeric() const;
};

// The name in pipeline files ("count", "stddev", "count_if", ...) and back.
std::optional<AggregateFn> aggregate_fn_named(const std::string& name);
const char* aggregate_fn_name(AggregateFn fn);

// One aggregate's partial state. The meaning of the members depends on the
// function (see above); an empty state (n == 0) is the identity of merge().
struct Accumulator {
  int64_t n = 0;    // values folded in (records, for count; matches, for count_if)
  double a = 0;     // sum (sum, avg), the extreme (min, max), the mean - c (stddev)
  double b = 0;     // M2, the sum of squared deviations from the mean (stddev)
  double c = 0;     // the shift: the first value folded in (stddev)
  int64_t t = 0;    // event time of `raw` (first, last)
  std::string raw;  // the value as JSON text (first, last)

  bool operator==(const Accumulator&) const = default;
};

// Folds one value in. `x`: the number read from the field (numeric functions);
// `raw`: the field's JSON text (first/last); `matched`: the condition held (count_if).
void accumulate(AggregateFn fn, Accumulator& acc, double x, int64_t event_time,
                const std::string* raw, bool matched);
void merge(AggregateFn fn, Accumulator& into, const Accumulator& from);
// The final value as JSON text ("null" where SQL gives NULL: no values, or
// stddev of fewer than two).
std::string result_json(AggregateFn fn, const Accumulator& acc);

}  // namespace sluice::stages
