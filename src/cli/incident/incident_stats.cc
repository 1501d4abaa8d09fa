#include "cli/incident/incident_stats.h"

#include <map>

namespace sluice::cli {
namespace {

void count(SeverityFigures& f, const Incident& i, bool is_overdue) {
  f.incidents += 1;
  f.open += i.open();
  f.overdue += is_overdue;
  if (i.fired_ms) f.mttd.add(i.opened_ms - *i.fired_ms);
  if (i.acked_ms) f.mtta.add(*i.acked_ms - i.opened_ms);
  if (i.resolved_ms) {
    f.mttr.add(*i.resolved_ms - i.fired_ms.value_or(i.opened_ms));
    f.mttr_from_opened += !i.fired_ms;
  }
}

}  // namespace

IncidentStats incident_stats(const IncidentLog& log, int64_t now_ms, int64_t window_ms,
                             const ResponseTimes& times) {
  IncidentStats s;
  s.from_ms = now_ms - window_ms;
  s.to_ms = now_ms;
  std::map<std::string, size_t> by_fingerprint;  // -> index in s.repeated
  for (const auto& i : log.incidents) {
    if (i.opened_ms < s.from_ms || i.opened_ms > s.to_ms) continue;
    const bool late = overdue(i, times, now_ms);
    count(s.by_severity[size_t(int(i.severity) - 1)], i, late);
    count(s.all, i, late);
    const std::string fp = i.fingerprint();
    auto [it, fresh] = by_fingerprint.try_emplace(fp, s.repeated.size());
    if (fresh) s.repeated.push_back({fp, {}});
    s.repeated[it->second].ids.push_back(i.id);
  }
  std::erase_if(s.repeated, [](const RepeatedIncident& r) { return r.ids.size() < 2; });
  for (const auto& r : s.repeated) s.repeats += int(r.ids.size()) - 1;
  return s;
}

}  // namespace sluice::cli
