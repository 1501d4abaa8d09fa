#include "cli/incident/incident_response_time.h"

#include <stdexcept>

#include "cli/incident/incident_assess.h"
#include "pipeline/config_text.h"

namespace sluice::cli {
namespace {

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kDayMs = 86'400'000;

size_t index(ops::Severity s) {
  return size_t(int(s) - 1);
}

// 1970-01-01 was a Thursday: day 0 is weekday 3 when Monday is 0.
bool business_day(int64_t day) {
  return (day + 3) % 7 < 5;
}

}  // namespace

ResponseTimes::ResponseTimes()
    : within_ms_{15 * kMinuteMs, 60 * kMinuteMs, 4 * 60 * kMinuteMs, std::nullopt} {}

void ResponseTimes::set(const std::string& spec) {
  const size_t eq = spec.find('=');
  const std::string usage = "--response-time '" + spec +
                            "': expected SEVERITY=DURATION, e.g. SEV-1=10m, P3=2h or " +
                            "SEV-4=next-business-day";
  if (eq == std::string::npos) throw std::invalid_argument(usage);
  ops::Severity s;
  try {
    s = parse_severity(spec.substr(0, eq));
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument(usage);
  }
  const std::string value = spec.substr(eq + 1);
  if (value == "next-business-day") {
    within_ms_[index(s)] = std::nullopt;
    return;
  }
  const auto ms = pipeline::parse_duration_ms(value);
  if (!ms || *ms <= 0) throw std::invalid_argument(usage);
  within_ms_[index(s)] = *ms;
}

int64_t ResponseTimes::due_ms(ops::Severity s, int64_t opened_ms) const {
  if (const auto& within = within_ms_[index(s)]) return opened_ms + *within;
  int64_t day = (opened_ms >= 0 ? opened_ms : opened_ms - kDayMs + 1) / kDayMs + 1;
  while (!business_day(day)) day += 1;
  return (day + 1) * kDayMs;
}

std::string ResponseTimes::describe(ops::Severity s) const {
  const auto& within = within_ms_[index(s)];
  return within ? pipeline::format_duration_ms(*within) : "next business day";
}

bool overdue(const Incident& i, const ResponseTimes& times, int64_t now_ms) {
  return i.open() && !i.acked_ms && now_ms > times.due_ms(i.severity, i.opened_ms);
}

}  // namespace sluice::cli
