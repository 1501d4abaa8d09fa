// Incident severity from live pipeline figures, by the table of the incident
// response runbook ("Assess Severity", seeds/000):
//
//   SEV-1  every stage process down, broker unreachable, lag > 1,000,000,
//          error rate > 20%, DLQ growth > 100/min
//   SEV-2  lag > 100,000, error rate > 10%
//   SEV-3  some (not all) stage processes down, lag > 10,000, error rate > 1%,
//          DLQ growth 10-100/min
//   SEV-4  anything else: no incident; an open circuit breaker is reported as
//          an informational reason (it pauses its stage, so lag will follow).
//
// Invariant: assess_incident() is pure. Each signal yields at most one reason —
// the most severe band its figure falls in — and the severity is the most
// severe reason's (SEV-4 when there is none). Bands are strict ("> 10%"),
// except DLQ growth's lower edge, which the runbook writes as "10-100/min".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::ops {

enum class Severity { kSev1 = 1, kSev2 = 2, kSev3 = 3, kSev4 = 4 };

// "SEV-1" .. "SEV-4".
std::string_view severity_name(Severity s);

// The thresholds of the table above, named so docs, tests and reasons agree.
struct IncidentThresholds {
  static constexpr double kLagSev1 = 1'000'000;
  static constexpr double kLagSev2 = 100'000;
  static constexpr double kLagSev3 = 10'000;
  static constexpr double kErrorRateSev1 = 0.20;
  static constexpr double kErrorRateSev2 = 0.10;
  static constexpr double kErrorRateSev3 = 0.01;
  static constexpr double kDlqPerMinSev1 = 100;
  static constexpr double kDlqPerMinSev3 = 10;
};

struct IncidentFigures {
  double lag = 0;          // messages not yet consumed, summed over every group and partition
  double error_rate = 0;   // failed processing attempts per record consumed, 0..1
  double dlq_per_min = 0;  // records written to dead-letter topics per minute
  int workers_up = 0;      // stage processes whose admin endpoint answered
  int workers_total = 0;   // stage processes asked
  int open_breakers = 0;
  bool broker_reachable = true;
};

struct IncidentReason {
  Severity severity = Severity::kSev4;
  std::string signal;  // workers, broker, lag, error_rate, dlq_growth, breakers
  double figure = 0;
  double threshold = 0;
  std::string text;  // for people: "error rate 15.0% > 10% (SEV-2)"
};

struct IncidentAssessment {
  Severity severity = Severity::kSev4;
  std::vector<IncidentReason> reasons;  // most severe first
  bool incident() const { return severity != Severity::kSev4; }
};

IncidentAssessment assess_incident(const IncidentFigures& f);

// 1234567 -> "1,234,567" (rounded to a whole number).
std::string format_count(double n);
// 0.153 -> "15.3%".
std::string format_percent(double fraction);

}  // namespace sluice::ops
