#include "cli/incident/incident_log_metrics.h"

#include <array>

namespace sluice::cli {
namespace {

constexpr std::array kSeverities = {ops::Severity::kSev1, ops::Severity::kSev2,
                                    ops::Severity::kSev3, ops::Severity::kSev4};

struct Gauges {
  std::array<ops::Gauge*, 4> open{}, overdue{};
  ops::Gauge* damaged = nullptr;
  ops::Gauge* readable = nullptr;
};

}  // namespace

void register_incident_metrics(ops::MetricsRegistry& registry, std::string log_path,
                               ResponseTimes times, std::function<int64_t()> clock_ms) {
  Gauges g;
  for (size_t i = 0; i < kSeverities.size(); ++i) {
    const ops::Labels labels = {{"severity", std::string(ops::severity_name(kSeverities[i]))}};
    g.open[i] = &registry.gauge("sluice_incidents_open",
                                "Incidents in the incident log that are not resolved", labels);
    g.overdue[i] = &registry.gauge(
        "sluice_incident_overdue",
        "Open incidents nobody acknowledged within their severity's response time", labels);
  }
  g.damaged = &registry.gauge("sluice_incident_log_damaged_lines",
                              "Lines of the incident log that are not a whole event (ignored)");
  g.readable = &registry.gauge("sluice_incident_log_readable",
                               "1 when the incident log was read at the last scrape, else 0");
  registry.on_collect([g, path = std::move(log_path), times, clock = std::move(clock_ms)] {
    IncidentLog log;
    try {
      log = read_incident_log(path);
    } catch (const std::exception&) {
      g.readable->set(0);
      return;
    }
    const int64_t now = clock();
    std::array<int, 4> open{}, late{};
    for (const auto& i : log.incidents) {
      const size_t at = size_t(int(i.severity) - 1);
      open[at] += i.open();
      late[at] += overdue(i, times, now);
    }
    for (size_t i = 0; i < kSeverities.size(); ++i) {
      g.open[i]->set(open[i]);
      g.overdue[i]->set(late[i]);
    }
    g.damaged->set(double(log.damaged_lines));
    g.readable->set(1);
  });
}

}  // namespace sluice::cli
