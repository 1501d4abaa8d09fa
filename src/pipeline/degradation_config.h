// Degradation levels (runbook 003, docs/degradation.md): as a stage falls
// behind, or its process nears its memory budget, it does less work per record
// instead of falling further behind. Each level does what the one below does,
// and more:
//   NORMAL         everything
//   SOFT           optional work skipped (Record::degraded: enrichment, lookups)
//   GRACEFUL       only priority keys processed; the rest parked, never dropped,
//                  in `<input>.shed` for `sluice dlq replay`
//   AGGRESSIVE     a sink's input spilled to local disk, drained when it recovers
//   CIRCUIT_BREAK  consumption stops (breaker "lag" forced open) and pages
// The names are a stable contract: metrics, logs and `sluice degradation` use them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::pipeline {

enum class DegradationLevel { kNormal, kSoft, kGraceful, kAggressive, kCircuitBreak };

inline constexpr DegradationLevel kAllDegradationLevels[] = {
    DegradationLevel::kNormal, DegradationLevel::kSoft, DegradationLevel::kGraceful,
    DegradationLevel::kAggressive, DegradationLevel::kCircuitBreak};

inline const char* level_name(DegradationLevel level) {
  switch (level) {
    case DegradationLevel::kNormal:
      return "NORMAL";
    case DegradationLevel::kSoft:
      return "SOFT";
    case DegradationLevel::kGraceful:
      return "GRACEFUL";
    case DegradationLevel::kAggressive:
      return "AGGRESSIVE";
    case DegradationLevel::kCircuitBreak:
      return "CIRCUIT_BREAK";
  }
  return "UNKNOWN";
}

// The inverse of level_name(), ignoring case; nullopt for anything else.
std::optional<DegradationLevel> parse_level(std::string_view name);

struct DegradationConfig {
  // Total lag at which SOFT, GRACEFUL, AGGRESSIVE and CIRCUIT_BREAK begin; 0
  // leaves that level out of the lag rule. `degradation.lag: seed` gives the
  // seed's 100K / 500K / 1M / 5M. The older stage keys map here:
  // degrade_lag_threshold is SOFT's, halt_lag_threshold CIRCUIT_BREAK's.
  std::array<int64_t, 4> lag_thresholds{};
  // The process's resident memory budget; 0: memory does not count.
  int64_t memory_budget_bytes = 0;
  // Percent of the budget at which each level from SOFT up begins.
  std::array<int64_t, 4> memory_percents{70, 80, 90, 95};
  // A level is left only this long after the last change, and only once lag is
  // at or under half the current level's threshold (and memory under its own).
  int64_t recovery_after_ms = 30000;
  // Keys still processed at GRACEFUL and above (exact match on the record key).
  std::vector<std::string> priority_keys;
  std::string parked_topic;  // default <input>.shed
  // Where AGGRESSIVE spills a sink's input ("": it does not spill).
  std::string spill_dir;
  int64_t spill_max_bytes = int64_t(1) << 30;

  // Whether any rule can move the stage off NORMAL.
  bool watched() const {
    for (int64_t t : lag_thresholds)
      if (t > 0) return true;
    return memory_budget_bytes > 0;
  }
};

}  // namespace sluice::pipeline
