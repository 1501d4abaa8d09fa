// Crash points: deterministic kill -9 for the tests of the nothing-lost promise
// ("a crash at any point loses nothing and duplicates no row").
//
// Code calls crash_point("table.before_commit") at a step a crash must be
// survivable at. When the environment variable SLUICE_CRASH_AT names that
// point — "NAME", or "NAME:N" for the N-th time this process reaches it
// (default 1) — the process sends itself SIGKILL right there: no destructors,
// no flushing, no atexit handlers, as after a power cut or the OOM killer.
// A test starts a process with the variable, sees it die, restarts it without
// and checks that every row is in the table once (tests/lake/test_table_sink.py).
// The points — store.put.partial, table.before_commit, table.after_commit — and
// what each proves are listed in docs/reliability.md "Crash points"; a new one
// belongs there too.
//
// The variable is read once, before main(). Unset — always, outside tests — a
// crash point costs one predictable branch on a global, inlined at the call.
// A malformed value is reported on stderr at startup and arms nothing.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice {

// A parsed SLUICE_CRASH_AT: which point, which hit of it, and the hits so far.
class CrashPlan {
 public:
  // `spec` is "NAME" or "NAME:N" with N >= 1. Throws std::invalid_argument otherwise.
  explicit CrashPlan(std::string_view spec);

  // Counts a hit when `point` is the planned one (safe from any thread);
  // true exactly for the hit the process must die at.
  bool hit(std::string_view point);

  const std::string& point() const { return point_; }
  int64_t nth() const { return nth_; }

 private:
  std::string point_;
  int64_t nth_ = 1;
  std::atomic<int64_t> hits_{0};
};

namespace crash_detail {
// The plan from SLUICE_CRASH_AT, or nullptr when the variable is unset or malformed.
extern CrashPlan* const plan;
[[gnu::cold]] void reached(CrashPlan& crash_plan, std::string_view point);
}  // namespace crash_detail

// Kills the process with SIGKILL when SLUICE_CRASH_AT plans a crash at this hit of `name`.
inline void crash_point(std::string_view name) {
  if (crash_detail::plan != nullptr) [[unlikely]]
    crash_detail::reached(*crash_detail::plan, name);
}

}  // namespace sluice
