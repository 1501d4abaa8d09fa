// `sluice health` (runbook: health check script): one line per check — broker,
// each stage process, lag, error rate, circuit breakers, each window stage's
// watermark lag — each OK, DEGRADED or DOWN with the reason, then the verdict.
//
// Invariant: the exit code is the worst check: 0 healthy, 1 degraded, 2 down.
// Down means the pipeline cannot move at all: the broker does not answer, or no
// stage process is live. One stage down, not ready, lag or error rate over its
// threshold, or a breaker open is degraded.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>

#include "cli/incident/pipeline_observation.h"
#include "cli/incident/pipeline_targets.h"
#include "cli/support/commands.h"
#include "common/json.h"

namespace sluice::cli {
namespace {

enum class Status { kOk = 0, kDegraded = 1, kDown = 2 };

const char* name(Status s) {
  return s == Status::kOk ? "OK" : s == Status::kDegraded ? "DEGRADED" : "DOWN";
}

struct Check {
  std::string what;
  Status status;
  std::string reason;
};

struct HealthFlags {
  TargetFlags targets;
  double max_lag = 10000;
  double max_error_rate = 0.01;
  double max_watermark_lag_s = 600;
  std::string window = "2s";
  bool json = false;
};

Check broker_check(const std::string& bootstrap, const BrokerProbe& b) {
  if (!b.reachable) return {"broker", Status::kDown, b.error};
  return {"broker", Status::kOk,
          fmt::format("{} answered a metadata request in {:.1f} ms ({} broker(s), {} topic(s))",
                      bootstrap, b.round_trip_ms, b.brokers, b.topics)};
}

// A /healthz or /readyz body is "ok\n<detail lines>" or "fail\n<detail lines>": the details, on one
// line.
std::string health_detail(const std::string& body) {
  std::string out;
  size_t start = body.find('\n');
  while (start != std::string::npos && start + 1 < body.size()) {
    size_t end = body.find('\n', start + 1);
    std::string line = body.substr(start + 1, end == std::string::npos ? end : end - start - 1);
    if (!line.empty()) out += (out.empty() ? "" : "; ") + line;
    start = end;
  }
  return out.empty() ? body.substr(0, body.find('\n')) : out;
}

Check stage_check(const Observation& o, const EndpointProbe& p) {
  const std::string what = "stage " + p.target.name;
  if (!p.healthz.reachable) return {what, Status::kDown, p.healthz.error};
  if (!p.live()) return {what, Status::kDown, "/healthz says " + health_detail(p.healthz.body)};
  if (!o.answered(p.endpoint)) {
    return {what, Status::kDegraded, "live, but its /metrics page does not answer"};
  }
  std::string stages;
  bool paused = false;
  for (const auto& s : p.stages) {
    stages += fmt::format("{}{} ({} partition(s){})", stages.empty() ? "" : ", ", s.stage,
                          s.assigned_partitions, s.paused ? ", paused" : "");
    paused = paused || s.paused;
  }
  if (!p.ready()) {
    return {what, Status::kDegraded,
            "live but not ready: " + (stages.empty() ? health_detail(p.readyz.body) : stages)};
  }
  return {what, paused ? Status::kDegraded : Status::kOk,
          "live and ready" + (stages.empty() ? "" : ": " + stages)};
}

std::string threshold(bool over, const std::string& limit) {
  return (over ? "over the threshold " : "threshold ") + limit;
}

// "claims.download 19,567, claims.ingest 41": where the broker's lag is.
std::string lag_by_group(const BrokerProbe& b) {
  std::string out;
  for (const auto& [group, lag] : b.lag_by_group)
    out += (out.empty() ? "" : ", ") + group + " " + ops::format_count(double(lag));
  return out;
}

std::vector<Check> run_checks(const HealthFlags& f, const ObserveOptions& options,
                              const Observation& o) {
  std::vector<Check> checks{broker_check(options.kafka.bootstrap, o.broker)};
  for (const auto& p : o.endpoints) checks.push_back(stage_check(o, p));
  const double lag = o.lag();
  const std::string where = lag_by_group(o.broker);
  checks.push_back(
      {"lag", lag > f.max_lag ? Status::kDegraded : Status::kOk,
       fmt::format("{} message(s) behind ({}){}", ops::format_count(lag),
                   threshold(lag > f.max_lag, ops::format_count(f.max_lag)),
                   !o.broker.lag   ? "; from the stages' gauges only (broker lag unknown)"
                   : where.empty() ? ""
                                   : "; committed lag at the broker: " + where)});
  const double rate = o.error_rate();
  checks.push_back(
      {"error rate", rate > f.max_error_rate ? Status::kDegraded : Status::kOk,
       fmt::format("{} {} ({})", ops::format_percent(rate),
                   o.error_rate_from_totals()
                       ? "since the stages started, as nothing was consumed in the window"
                       : fmt::format("over the last {:.1f} s", o.window_s),
                   threshold(rate > f.max_error_rate, ops::format_percent(f.max_error_rate)))});
  // How far behind the wall clock each window stage's windows close (allowed lateness
  // included): a source gone quiet or a stuck partition shows here first.
  const double now_s = double(std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count()) /
                       1e3;
  for (const auto& [stage, watermark] : o.after.watermarks) {
    const double behind = now_s - watermark;
    checks.push_back({"watermark " + stage,
                      behind > f.max_watermark_lag_s ? Status::kDegraded : Status::kOk,
                      fmt::format("windows close {:.0f} s behind the wall clock ({})", behind,
                                  threshold(behind > f.max_watermark_lag_s,
                                            fmt::format("{:.0f} s", f.max_watermark_lag_s)))});
  }
  std::string open;
  for (const auto& b : o.after.open_breaker_names) open += (open.empty() ? "" : ", ") + b;
  checks.push_back({"breakers", open.empty() ? Status::kOk : Status::kDegraded,
                    open.empty() ? "none open" : "open: " + open + " (their stages are paused)"});
  return checks;
}

Status verdict(const Observation& o, const std::vector<Check>& checks) {
  // One stage down degrades the pipeline; only a dead broker or no live stage stops it.
  Status worst = Status::kOk;
  for (const auto& c : checks) worst = std::max(worst, std::min(c.status, Status::kDegraded));
  int live = 0;
  for (const auto& p : o.endpoints) live += p.live();
  if (!o.broker.reachable || live == 0) worst = Status::kDown;
  return worst;
}

int run(const HealthFlags& f) {
  const ObserveOptions options = f.targets.observe(parse_window_ms(f.window, "--window"));
  const Observation o = observe(options);
  const std::vector<Check> checks = run_checks(f, options, o);
  const Status overall = verdict(o, checks);
  if (f.json) {
    json::JsonWriter w;
    w.begin_object().field("status", name(overall)).key("checks").begin_array();
    for (const auto& c : checks) {
      w.begin_object().field("check", c.what).field("status", name(c.status));
      w.field("reason", c.reason).end_object();
    }
    w.end_array().end_object();
    std::printf("%s\n", w.str().c_str());
  } else {
    size_t width = 0;
    for (const auto& c : checks) width = std::max(width, c.what.size());
    for (const auto& c : checks) {
      std::printf("%-*s  %-8s  %s\n", int(width), c.what.c_str(), name(c.status), c.reason.c_str());
    }
    std::printf("%-*s  %s\n", int(width), "overall", name(overall));
  }
  return int(overall);
}

}  // namespace

Run add_health_command(CLI::App& app) {
  auto f = std::make_shared<HealthFlags>();
  f->targets.kafka.timeout_ms = 5000;
  CLI::App* cmd = app.add_subcommand(
      "health", "Check broker, stage processes, lag, error rate and breakers (exit 0/1/2)");
  f->targets.add_to(cmd);
  cmd->add_option("--max-lag", f->max_lag, "Lag (messages) above which the pipeline is degraded")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-error-rate", f->max_error_rate,
                  "Failed attempts per record consumed (0..1) above which it is degraded")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--max-watermark-lag", f->max_watermark_lag_s,
                  "Seconds a window stage's watermark may trail the wall clock (allowed lateness "
                  "included) before the pipeline is degraded")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--window", f->window, "How long to measure rates over (e.g. 2s, 500ms)")
      ->capture_default_str();
  cmd->add_flag("--json", f->json, "One JSON object: {status, checks:[{check, status, reason}]}");
  return [f] { return run(*f); };
}

}  // namespace sluice::cli
