#include "stages/window_aggregate/aggregate.h"

#include <charconv>
#include <cmath>
#include <regex>

namespace sluice::stages {
namespace {

struct Named {
  const char* name;
  AggregateFn fn;
};
constexpr Named kNames[] = {
    {"count", AggregateFn::kCount},      {"sum", AggregateFn::kSum},
    {"min", AggregateFn::kMin},          {"max", AggregateFn::kMax},
    {"avg", AggregateFn::kAvg},          {"stddev", AggregateFn::kStddev},
    {"count_if", AggregateFn::kCountIf}, {"first", AggregateFn::kFirst},
    {"last", AggregateFn::kLast},
};

// The shortest text that reads back as the same double; "null" for NaN and infinities.
std::string number_json(double d) {
  if (!std::isfinite(d)) return "null";
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return ec == std::errc() ? std::string(buf, end) : "null";
}

}  // namespace

bool Condition::holds(double x) const {
  switch (op) {
    case Op::kLt:
      return x < value;
    case Op::kLe:
      return x <= value;
    case Op::kGt:
      return x > value;
    case Op::kGe:
      return x >= value;
    case Op::kEq:
      return x == value;
    case Op::kNe:
      return x != value;
  }
  return false;
}

std::optional<Condition> Condition::parse(const std::string& text) {
  static const std::regex form(R"(^\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$)");
  std::smatch m;
  if (!std::regex_match(text, m, form)) return std::nullopt;
  Condition c;
  c.field = m[1];
  const std::string op = m[2];
  c.op = op == "<"    ? Op::kLt
         : op == "<=" ? Op::kLe
         : op == ">"  ? Op::kGt
         : op == ">=" ? Op::kGe
         : op == "==" ? Op::kEq
                      : Op::kNe;
  const std::string number = m[3];
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), c.value);
  if (ec != std::errc() || end != number.data() + number.size() || !std::isfinite(c.value))
    return std::nullopt;
  return c;
}

bool AggregateSpec::numeric() const {
  return fn == AggregateFn::kSum || fn == AggregateFn::kMin || fn == AggregateFn::kMax ||
         fn == AggregateFn::kAvg || fn == AggregateFn::kStddev;
}

std::optional<AggregateFn> aggregate_fn_named(const std::string& name) {
  for (const auto& n : kNames)
    if (name == n.name) return n.fn;
  return std::nullopt;
}

const char* aggregate_fn_name(AggregateFn fn) {
  for (const auto& n : kNames)
    if (fn == n.fn) return n.name;
  return "?";
}

void accumulate(AggregateFn fn, Accumulator& acc, double x, int64_t event_time,
                const std::string* raw, bool matched) {
  switch (fn) {
    case AggregateFn::kCount:
      acc.n += 1;
      return;
    case AggregateFn::kCountIf:
      acc.n += matched ? 1 : 0;
      return;
    case AggregateFn::kSum:
    case AggregateFn::kAvg:
      acc.n += 1;
      acc.a += x;
      return;
    case AggregateFn::kMin:
      acc.a = acc.n == 0 ? x : std::min(acc.a, x);
      acc.n += 1;
      return;
    case AggregateFn::kMax:
      acc.a = acc.n == 0 ? x : std::max(acc.a, x);
      acc.n += 1;
      return;
    case AggregateFn::kStddev: {  // Welford: the mean and M2 move by the new value's deviation
      if (acc.n == 0) acc.c = x;
      acc.n += 1;
      const double y = x - acc.c;  // exact while x is within a factor 2 of the shift
      const double delta = y - acc.a;
      acc.a += delta / double(acc.n);
      acc.b += delta * (y - acc.a);
      return;
    }
    case AggregateFn::kFirst:
      if (raw && (acc.n == 0 || event_time < acc.t)) {
        acc.t = event_time;
        acc.raw = *raw;
      }
      acc.n += raw ? 1 : 0;
      return;
    case AggregateFn::kLast:
      if (raw && (acc.n == 0 || event_time >= acc.t)) {
        acc.t = event_time;
        acc.raw = *raw;
      }
      acc.n += raw ? 1 : 0;
      return;
  }
}

void merge(AggregateFn fn, Accumulator& into, const Accumulator& from) {
  if (from.n == 0) return;
  if (into.n == 0) {
    into = from;
    return;
  }
  switch (fn) {
    case AggregateFn::kCount:
    case AggregateFn::kCountIf:
      into.n += from.n;
      return;
    case AggregateFn::kSum:
    case AggregateFn::kAvg:
      into.n += from.n;
      into.a += from.a;
      return;
    case AggregateFn::kMin:
      into.a = std::min(into.a, from.a);
      into.n += from.n;
      return;
    case AggregateFn::kMax:
      into.a = std::max(into.a, from.a);
      into.n += from.n;
      return;
    case AggregateFn::kStddev: {  // Chan et al.: combine two (n, mean, M2) exactly
      const double na = double(into.n), nb = double(from.n), n = na + nb;
      const double from_mean = (from.c - into.c) + from.a;  // in `into`'s shift
      const double delta = from_mean - into.a;
      into.a += delta * nb / n;
      into.b += from.b + delta * delta * na * nb / n;
      into.n += from.n;
      return;
    }
    case AggregateFn::kFirst:
      if (from.t < into.t) {
        into.t = from.t;
        into.raw = from.raw;
      }
      into.n += from.n;
      return;
    case AggregateFn::kLast:
      if (from.t >= into.t) {
        into.t = from.t;
        into.raw = from.raw;
      }
      into.n += from.n;
      return;
  }
}

std::string result_json(AggregateFn fn, const Accumulator& acc) {
  switch (fn) {
    case AggregateFn::kCount:
    case AggregateFn::kCountIf:
      return std::to_string(acc.n);
    case AggregateFn::kSum:
    case AggregateFn::kMin:
    case AggregateFn::kMax:
      return acc.n == 0 ? "null" : number_json(acc.a);
    case AggregateFn::kAvg:
      return acc.n == 0 ? "null" : number_json(acc.a / double(acc.n));
    case AggregateFn::kStddev:  // the sample standard deviation, as Spark's stddev
      return acc.n < 2 ? "null" : number_json(std::sqrt(acc.b / double(acc.n - 1)));
    case AggregateFn::kFirst:
    case AggregateFn::kLast:
      return acc.n == 0 ? "null" : acc.raw;
  }
  return "null";
}

}  // namespace sluice::stages
