// The windowing core (stages/window_aggregate/window_engine.h): panes give the
// same rows as computing every window on its own, the watermark is the
// minimum over partitions until one goes idle, stddev is numerically sound,
// and the state encodes and decodes losslessly.
#include "stages/window_aggregate/window_engine.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

namespace sluice::stages {
namespace {

constexpr int64_t kMinute = 60'000;

WindowOptions options(int64_t size, int64_t slide, int64_t lateness = 0) {
  WindowOptions o;
  o.time_field = "ts";
  o.layout = WindowLayout::of(size, slide);
  o.allowed_lateness_ms = lateness;
  o.idle_timeout_ms = 30'000;
  o.group_by = {"device"};
  const std::pair<const char*, AggregateFn> fns[] = {
      {"n", AggregateFn::kCount},     {"sum", AggregateFn::kSum},     {"min", AggregateFn::kMin},
      {"max", AggregateFn::kMax},     {"avg", AggregateFn::kAvg},     {"sd", AggregateFn::kStddev},
      {"low", AggregateFn::kCountIf}, {"first", AggregateFn::kFirst}, {"last", AggregateFn::kLast}};
  for (const auto& [name, fn] : fns) {
    AggregateSpec s;
    s.name = name;
    s.fn = fn;
    s.field = "v";
    s.when = *Condition::parse("v < 20");
    o.aggregates.push_back(s);
  }
  return o;
}

WindowEvent event(const std::string& group, int64_t time, double v) {
  WindowEvent e;
  e.time = time;
  e.group = group;
  for (int i = 0; i < 9; ++i) {
    WindowEvent::Input in;
    in.present = true;
    in.x = v;
    in.raw = std::to_string(v);
    in.matched = v < 20;
    e.inputs.push_back(in);
  }
  return e;
}

const PartitionId kP0{"events", 0};
const PartitionId kP1{"events", 1};

void expect_close(double expected, double actual, const std::string& what) {
  EXPECT_LE(std::abs(expected - actual), 1e-9 * std::max(1.0, std::abs(expected))) << what;
}

// Hopping windows assembled from panes equal each window computed on its own
// from the records it contains — on random, out-of-order input with late records.
void check_panes_against_naive(int64_t size, int64_t slide, uint32_t seed) {
  const WindowOptions o = options(size, slide, /*lateness=*/2 * slide);
  WindowEngine engine(o, [] { return 0; });
  engine.restore(kP0, {});
  std::mt19937 rng(seed);
  // Disorder beyond a window plus the lateness: some records are late.
  std::uniform_int_distribution<int> group(0, 4), disorder(0, int(size + 3 * slide)), value(0, 40);
  std::map<std::pair<int64_t, std::string>, std::vector<WindowEvent>> naive;
  std::vector<WindowRow> emitted;
  int late = 0;
  int64_t t = 1767607200000;
  for (int i = 0; i < 3000; ++i) {
    t += size / 37;
    const WindowEvent e = event("g" + std::to_string(group(rng)), t - disorder(rng), value(rng));
    // Windows sealed before the record arrived do not get it (they are final).
    const int64_t sealed = engine.state(kP0).sealed_through;
    Admission a = engine.add(kP0, e);
    emitted.insert(emitted.end(), a.rows.begin(), a.rows.end());
    if (a.late) {
      ++late;
      continue;
    }
    for (int64_t s = WindowLayout::floor_to(e.time, slide); s + size > e.time; s -= slide)
      if (s + size > sealed) naive[{s, e.group}].push_back(e);
  }
  // A record far ahead seals and emits every window above (single partition:
  // the combined watermark is its own).
  Admission flush = engine.add(kP0, event("zz-flush", t + 10 * size, 0));
  emitted.insert(emitted.end(), flush.rows.begin(), flush.rows.end());
  EXPECT_GT(late, 0) << "the input should include late records";

  std::map<std::pair<int64_t, std::string>, WindowRow> rows;
  for (const auto& r : emitted) {
    EXPECT_EQ(r.end - r.start, size);
    EXPECT_TRUE(rows.emplace(std::pair(r.start, r.group), r).second)
        << "window emitted twice: " << r.start << " " << r.group;
  }
  ASSERT_EQ(rows.size(), naive.size());
  for (const auto& [window, events] : naive) {
    ASSERT_TRUE(rows.count(window)) << window.first << " " << window.second;
    const Accumulators& got = rows.at(window).accumulators;
    double sum = 0, lo = 1e300, hi = -1e300;
    int64_t low = 0;
    const WindowEvent* first = nullptr;
    const WindowEvent* last = nullptr;
    for (const auto& e : events) {
      sum += e.inputs[0].x;
      lo = std::min(lo, e.inputs[0].x);
      hi = std::max(hi, e.inputs[0].x);
      low += e.inputs[0].x < 20;
      if (!first || e.time < first->time) first = &e;
      if (!last || e.time >= last->time) last = &e;
    }
    const double n = double(events.size()), mean = sum / n;
    double m2 = 0;
    for (const auto& e : events) m2 += (e.inputs[0].x - mean) * (e.inputs[0].x - mean);
    EXPECT_EQ(result_json(AggregateFn::kCount, got[0]), std::to_string(events.size()));
    expect_close(sum, got[1].a, "sum");
    EXPECT_EQ(got[2].a, lo);
    EXPECT_EQ(got[3].a, hi);
    expect_close(mean, got[4].a / double(got[4].n), "avg");
    if (events.size() > 1)
      expect_close(std::sqrt(m2 / (n - 1)), std::sqrt(got[5].b / double(got[5].n - 1)), "stddev");
    EXPECT_EQ(got[6].n, low);
    EXPECT_EQ(got[7].raw, first->inputs[7].raw);
    EXPECT_EQ(got[8].raw, last->inputs[8].raw);
  }
}

TEST(WindowEngine, HoppingWindowsFromPanesEqualANaivePerWindowComputation) {
  check_panes_against_naive(10 * kMinute, kMinute, 1);     // pane = slide
  check_panes_against_naive(5 * kMinute, 2 * kMinute, 2);  // pane = gcd = 1 min
  check_panes_against_naive(kMinute, kMinute, 3);          // tumbling
}

TEST(WindowEngine, ARecordIsFoldedIntoOnePaneNotIntoEveryWindow) {
  WindowEngine engine(options(60 * kMinute, kMinute), [] { return 0; });
  engine.restore(kP0, {});
  for (int i = 0; i < 100; ++i) engine.add(kP0, event("g", 1767607200000 + i * 1000, 1));
  const PartitionWindows s = engine.state(kP0);
  EXPECT_EQ(s.panes.size(), 2u);  // 100 s of records: two one-minute panes, not 60 windows
}

TEST(WindowEngine, TheCombinedWatermarkIsTheMinimumOverPartitionsUntilOneIsIdle) {
  int64_t now = 0;
  WindowEngine engine(options(kMinute, kMinute), [&] { return now; });
  engine.restore(kP0, {});
  engine.restore(kP1, {});
  const int64_t t0 = 1767607200000;
  EXPECT_TRUE(engine.add(kP0, event("a", t0 + 30'000, 1)).rows.empty());
  EXPECT_TRUE(engine.add(kP1, event("b", t0 + 20'000, 1)).rows.empty());
  // p0 passes 1:00, so its [0:00, 1:00) is sealed; p1 at 0:20 holds the emission back.
  EXPECT_TRUE(engine.add(kP0, event("a", t0 + 90'000, 1)).rows.empty());
  EXPECT_EQ(engine.state(kP0).pending.size(), 1u);
  EXPECT_EQ(engine.combined_watermark(), t0 + 20'000);
  // p1 passes 1:00 too: the combined watermark is 1:05, and both windows go out.
  auto rows = engine.add(kP1, event("b", t0 + 65'000, 1)).rows;
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].group, "b");
  rows = engine.tick(kP0);  // p0 had no record since: its tick emits its row
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].group, "a");

  // p1 falls silent; once idle_timeout passes it no longer holds p0 back.
  now = 29'999;
  EXPECT_TRUE(engine.add(kP0, event("a", t0 + 150'000, 1)).rows.empty());
  now = 30'000;
  EXPECT_EQ(engine.combined_watermark(), t0 + 150'000);
  rows = engine.add(kP0, event("a", t0 + 151'000, 1)).rows;
  ASSERT_EQ(rows.size(), 1u);  // p0's [1:00, 2:00)
  EXPECT_EQ(rows[0].start, t0 + kMinute);

  // The idle p1 was overtaken: its tick seals and emits its windows up to the
  // combined watermark, and its later records for them are late.
  rows = engine.tick(kP1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].group, "b");
  EXPECT_EQ(rows[0].start, t0 + kMinute);
  const Admission late = engine.add(kP1, event("b", t0 + 110'000, 1));
  EXPECT_TRUE(late.late);
  EXPECT_EQ(late.missed_start, t0 + kMinute);
  EXPECT_EQ(late.missed_end, t0 + 2 * kMinute);
  // p1 is active again: it holds the watermark at its own (1:50) once more.
  EXPECT_EQ(engine.combined_watermark(), t0 + 110'000);
}

TEST(WindowEngine, ARevokedPartitionNoLongerHoldsTheWatermark) {
  WindowEngine engine(options(kMinute, kMinute), [] { return 0; });
  engine.restore(kP0, {});
  engine.restore(kP1, {});
  const int64_t t0 = 1767607200000;
  engine.add(kP0, event("a", t0 + 30'000, 1));
  EXPECT_TRUE(engine.add(kP0, event("a", t0 + 90'000, 1)).rows.empty());  // p1 has no time yet
  engine.release(kP1);
  EXPECT_EQ(engine.tick(kP0).size(), 1u);
}

TEST(WindowEngine, StddevMatchesATwoPassComputationWhereNaiveSumsOfSquaresFail) {
  // Values near 1e9 with a spread of ~1: sum(x²) - n·mean² loses every digit here.
  WindowEngine engine(options(10 * kMinute, kMinute), [] { return 0; });
  engine.restore(kP0, {});
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> noise(-1, 1);
  const int64_t t0 = 1767607200000;
  std::vector<double> xs;
  for (int i = 0; i < 5000; ++i) {
    const double x = 1e9 + noise(rng);
    xs.push_back(x);
    engine.add(kP0, event("g", t0 + i * 100, x));  // 500 s: nine panes merged per window
  }
  const auto rows = engine.add(kP0, event("flush", t0 + 100 * kMinute, 0)).rows;
  long double mean = 0;
  for (double x : xs) mean += x;
  mean /= xs.size();
  long double m2 = 0;
  for (double x : xs) m2 += (x - mean) * (x - mean);
  const double two_pass = double(std::sqrt(m2 / (xs.size() - 1)));
  bool checked = false;
  for (const auto& r : rows) {
    if (r.group != "g" || r.start != t0) continue;  // the window holding every value
    const double welford = std::sqrt(r.accumulators[5].b / double(r.accumulators[5].n - 1));
    EXPECT_LE(std::abs(welford - two_pass), 1e-9 * two_pass) << welford << " vs " << two_pass;
    checked = true;
  }
  EXPECT_TRUE(checked);
}

TEST(WindowEngine, StateRoundTripsThroughItsEncoding) {
  const WindowOptions o = options(10 * kMinute, kMinute, kMinute);
  WindowEngine engine(o, [] { return 0; });
  engine.restore(kP0, {});
  const int64_t t0 = 1767607200000;
  for (int i = 0; i < 400; ++i)
    engine.add(kP0, event("g" + std::to_string(i % 3), t0 + i * 3000 - (i % 7) * 5000, i % 13));
  const PartitionWindows before = engine.state(kP0);
  ASSERT_FALSE(before.panes.empty());
  const std::string bytes = engine.snapshot(kP0);
  EXPECT_EQ(decode_windows(bytes, o.fingerprint(), o.aggregates.size()), before);
  WindowEngine elsewhere(o, [] { return 0; });
  elsewhere.restore(kP0, decode_windows(bytes, o.fingerprint(), o.aggregates.size()));
  EXPECT_EQ(elsewhere.snapshot(kP0), bytes);
  for (size_t cut : {size_t(0), size_t(1), bytes.size() / 2, bytes.size() - 1})
    EXPECT_THROW(decode_windows(bytes.substr(0, cut), o.fingerprint(), o.aggregates.size()),
                 WindowStateError);
  EXPECT_THROW(decode_windows(bytes + "x", o.fingerprint(), o.aggregates.size()), WindowStateError);
}

}  // namespace
}  // namespace sluice::stages
