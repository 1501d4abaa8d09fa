#include "cli/incident/pipeline_observation.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "cli/support/group_lag.h"
#include "kafka/admin_client.h"
#include "kafka/record_reader.h"
#include "pipeline/config_text.h"

namespace sluice::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<ScrapeTarget> scrape_targets(const std::vector<StageTarget>& targets) {
  std::vector<ScrapeTarget> out;
  for (const auto& t : targets) out.push_back({t.name, t.endpoint.port, t.endpoint.host});
  return out;
}

EndpointProbe probe_endpoint(const StageTarget& t) {
  const AdminEndpoint& e = t.endpoint;
  EndpointProbe p{t, e, {}, {}, {}, {}};
  if (!t.running()) {
    p.healthz.error = "not running (`sluice up` restarts it; `sluice ps` shows its restarts)";
    p.readyz = p.status = p.healthz;
    return p;
  }
  p.healthz = http_get(e, "/healthz");
  if (!p.healthz.reachable) {
    p.readyz = p.status = p.healthz;  // don't wait for the same dead address twice more
    return p;
  }
  p.readyz = http_get(e, "/readyz");
  p.status = http_get(e, "/status");
  if (p.status.reachable && p.status.status == 200) p.stages = parse_status(p.status.body);
  return p;
}

BrokerProbe probe_broker(const KafkaFlags& flags, const std::set<std::string>& groups) {
  BrokerProbe b;
  try {
    const auto start = Clock::now();
    kafka::AdminClient admin(flags.endpoint());
    const kafka::ClusterInfo info = admin.cluster();
    b.round_trip_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    b.reachable = true;
    b.brokers = info.brokers.size();
    b.topics = info.topics.size();
    try {
      kafka::RecordReader reader(admin.endpoint());
      double lag = 0;
      for (const auto& g : groups) {
        const int64_t group_lag = measure_group_lag(admin, reader, g).total_lag();
        b.lag_by_group[g] = group_lag;
        lag += double(group_lag);
      }
      b.lag = lag;
    } catch (const std::exception& e) {
      b.lag_error = e.what();
    }
  } catch (const std::exception& e) {
    b.error = e.what();
  }
  return b;
}

double delta(double after, double before) {
  return std::max(0.0, after - before);
}

}  // namespace

std::vector<StageTarget> targets_of(const std::vector<AdminEndpoint>& endpoints) {
  std::vector<StageTarget> out;
  for (const auto& e : endpoints) out.push_back({e, e.address(), "", ""});
  return out;
}

double Observation::lag() const {
  return broker.lag.value_or(after.lag);
}

bool Observation::error_rate_from_totals() const {
  return delta(after.total_consumed(), before.total_consumed()) == 0;
}

double Observation::error_rate() const {
  double errors = delta(after.errors, before.errors);
  double consumed = delta(after.total_consumed(), before.total_consumed());
  if (error_rate_from_totals()) {
    errors = after.errors;
    consumed = after.total_consumed();
  }
  if (consumed <= 0) return errors > 0 ? 1.0 : 0.0;
  return std::min(1.0, errors / consumed);
}

double Observation::dlq_per_min() const {
  if (window_s <= 0) return 0;
  return delta(after.dead_lettered(), before.dead_lettered()) * 60.0 / window_s;
}

std::vector<std::string> Observation::affected() const {
  std::vector<std::string> out;
  for (const auto& p : endpoints) {
    if (!answered(p.endpoint)) {
      out.push_back(p.target.name == p.endpoint.address()
                        ? "stage process at " + p.endpoint.address() + " (down)"
                        : p.target.name + " (down)");
    }
    for (const auto& s : p.stages) {
      if (s.paused) out.push_back(s.stage + " (paused)");
    }
  }
  const bool totals = error_rate_from_totals();
  for (const auto& [stage, errors] : after.stage_errors) {
    auto before_it = before.stage_errors.find(stage);
    double failed =
        totals ? errors
               : delta(errors, before_it == before.stage_errors.end() ? 0 : before_it->second);
    if (failed > 0) out.push_back(stage + " (" + ops::format_count(failed) + " failed attempts)");
  }
  for (const auto& b : after.open_breaker_names) out.push_back("breaker " + b + " (open)");
  return out;
}

ops::IncidentFigures Observation::incident_figures() const {
  ops::IncidentFigures f;
  f.lag = lag();
  f.error_rate = error_rate();
  f.dlq_per_min = dlq_per_min();
  f.workers_up = workers_up();
  f.workers_total = workers_total();
  f.open_breakers = after.open_breakers;
  f.broker_reachable = broker.reachable;
  return f;
}

Observation observe(const ObserveOptions& options) {
  Observation o;
  const auto start = Clock::now();
  o.before = scrape(scrape_targets(options.targets));
  // Probing fills the window instead of adding to it.
  for (const auto& t : options.targets) o.endpoints.push_back(probe_endpoint(t));
  // The groups the live stages report, and those of the processes that are down.
  std::set<std::string> groups = o.before.groups;
  for (const auto& t : options.targets) {
    if (!t.group.empty()) groups.insert(t.group);
  }
  o.broker = probe_broker(options.kafka, groups);
  std::this_thread::sleep_until(start + std::chrono::milliseconds(options.window_ms));
  o.after = scrape(scrape_targets(options.targets));
  o.window_s = std::chrono::duration<double>(Clock::now() - start).count();
  return o;
}

int64_t parse_window_ms(const std::string& text, const std::string& flag) {
  const bool has_unit = !text.empty() && (text.back() < '0' || text.back() > '9');
  std::optional<int64_t> ms = has_unit ? pipeline::parse_duration_ms(text) : std::nullopt;
  if (!ms || *ms <= 0) {
    throw std::invalid_argument(flag + " '" + text +
                                "' is not a duration with a unit; write e.g. 2s, 500ms or 1m");
  }
  return *ms;
}

}  // namespace sluice::cli
