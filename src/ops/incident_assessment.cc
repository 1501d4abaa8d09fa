#include "ops/incident_assessment.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

namespace sluice::ops {
namespace {

using T = IncidentThresholds;

struct Band {
  Severity severity;
  double threshold;
  bool inclusive;  // figure >= threshold (otherwise figure > threshold)
};

// The most severe band `figure` falls in; bands are ordered most severe first.
std::optional<Band> band_of(double figure, std::initializer_list<Band> bands) {
  for (const Band& b : bands) {
    if (b.inclusive ? figure >= b.threshold : figure > b.threshold) return b;
  }
  return std::nullopt;
}

std::string tag(Severity s) {
  return fmt::format("({})", severity_name(s));
}

void add(IncidentAssessment& a, Severity s, std::string signal, double figure, double threshold,
         std::string text) {
  a.reasons.push_back({s, std::move(signal), figure, threshold, std::move(text) + " " + tag(s)});
}

std::string rate_text(double per_min) {
  return fmt::format("{:.1f}/min", per_min);
}

}  // namespace

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::kSev1:
      return "SEV-1";
    case Severity::kSev2:
      return "SEV-2";
    case Severity::kSev3:
      return "SEV-3";
    case Severity::kSev4:
      break;
  }
  return "SEV-4";
}

std::string format_count(double n) {
  const long long v = std::llround(std::max(0.0, n));
  std::string digits = std::to_string(v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string format_percent(double fraction) {
  return fmt::format("{:.1f}%", fraction * 100);
}

IncidentAssessment assess_incident(const IncidentFigures& f) {
  IncidentAssessment a;
  if (!f.broker_reachable) {
    add(a, Severity::kSev1, "broker", 0, 0, "the Kafka broker does not answer");
  }
  if (f.workers_total > 0 && f.workers_up == 0) {
    add(a, Severity::kSev1, "workers", 0, 0,
        fmt::format("all {} stage process(es) down", f.workers_total));
  } else if (f.workers_up < f.workers_total) {
    const int down = f.workers_total - f.workers_up;
    add(a, Severity::kSev3, "workers", down, 0,
        fmt::format("{} of {} stage process(es) down", down, f.workers_total));
  }
  if (auto b = band_of(f.lag, {{Severity::kSev1, T::kLagSev1, false},
                               {Severity::kSev2, T::kLagSev2, false},
                               {Severity::kSev3, T::kLagSev3, false}})) {
    add(a, b->severity, "lag", f.lag, b->threshold,
        fmt::format("consumer lag {} messages > {}", format_count(f.lag),
                    format_count(b->threshold)));
  }
  if (auto b = band_of(f.error_rate, {{Severity::kSev1, T::kErrorRateSev1, false},
                                      {Severity::kSev2, T::kErrorRateSev2, false},
                                      {Severity::kSev3, T::kErrorRateSev3, false}})) {
    add(a, b->severity, "error_rate", f.error_rate, b->threshold,
        fmt::format("error rate {} > {:g}%", format_percent(f.error_rate), b->threshold * 100));
  }
  if (auto b = band_of(f.dlq_per_min, {{Severity::kSev1, T::kDlqPerMinSev1, false},
                                       {Severity::kSev3, T::kDlqPerMinSev3, true}})) {
    add(a, b->severity, "dlq_growth", f.dlq_per_min, b->threshold,
        fmt::format("DLQ growth {} {} {:g}/min", rate_text(f.dlq_per_min),
                    b->inclusive ? ">=" : ">", b->threshold));
  }
  if (f.open_breakers > 0) {
    add(a, Severity::kSev4, "breakers", f.open_breakers, 0,
        fmt::format("{} circuit breaker(s) open: a dependency is failing and its stage is paused",
                    f.open_breakers));
  }
  std::stable_sort(a.reasons.begin(), a.reasons.end(),
                   [](const auto& x, const auto& y) { return x.severity < y.severity; });
  if (!a.reasons.empty()) a.severity = a.reasons.front().severity;
  return a;
}

}  // namespace sluice::ops
