// What `sluice health` and `sluice incident` see of a running pipeline: each
// stage process's /healthz, /readyz and /status, two /metrics scrapes a window
// apart (rates come from their difference), and the broker's own answer —
// metadata, plus the committed lag of every group the stages consume in.
//
// Invariant: observe() never throws for an unreachable stage or broker; those
// are recorded with the reason, so a half-dead pipeline is still described.
// Rates are never negative (a restarted process resets its counters).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/support/admin_endpoints.h"
#include "cli/support/kafka_flags.h"
#include "cli/support/stage_status.h"
#include "cli/support/up_progress.h"
#include "ops/incident_assessment.h"

namespace sluice::cli {

// One stage process to look at: named by `--admin`, or an entry of the process
// table of `sluice up --data-dir` (which also knows processes that are down).
struct StageTarget {
  AdminEndpoint endpoint;  // port 0 while the process is not running
  std::string name;        // "download#2"; the address when named by --admin
  std::string stage;       // empty when not known
  std::string group;       // its consumer group when known, so its backlog is seen while it is down
  bool running() const { return endpoint.port > 0; }
};

std::vector<StageTarget> targets_of(const std::vector<AdminEndpoint>& endpoints);

struct EndpointProbe {
  StageTarget target;
  AdminEndpoint endpoint;
  HttpAnswer healthz, readyz, status;
  std::vector<StageState> stages;  // parsed from `status` when it answered
  bool live() const { return healthz.reachable && healthz.status == 200; }
  bool ready() const { return readyz.reachable && readyz.status == 200; }
};

struct BrokerProbe {
  bool reachable = false;
  std::string error;  // why not
  double round_trip_ms = 0;
  size_t brokers = 0, topics = 0;
  std::optional<double> lag;  // committed lag over the stages' groups; nullopt when unknown
  std::map<std::string, int64_t> lag_by_group;
  std::string lag_error;
};

struct Observation {
  std::vector<EndpointProbe> endpoints;
  PipelineFigures before, after;
  double window_s = 0;
  BrokerProbe broker;

  int workers_total() const { return int(endpoints.size()); }
  int workers_up() const { return after.processes_up; }
  bool answered(const AdminEndpoint& e) const { return after.answered.count(e.address()) > 0; }
  // The broker's committed lag of every group (a paused consumer stops
  // refreshing its gauges and a dead one has none; the broker still knows);
  // the stages' own gauges only when the broker's could not be measured.
  double lag() const;
  // Failed attempts per record consumed over the window, capped at 1; from the
  // counters' totals when nothing was consumed in the window.
  double error_rate() const;
  bool error_rate_from_totals() const;
  double dlq_per_min() const;
  // Stages (or endpoints) that show trouble: down, paused, failing records.
  std::vector<std::string> affected() const;
  ops::IncidentFigures incident_figures() const;
};

struct ObserveOptions {
  std::vector<StageTarget> targets;
  KafkaFlags kafka;
  int64_t window_ms = 2000;
};

Observation observe(const ObserveOptions& options);

// "2s", "500ms", "1m" or plain seconds ("10"); throws std::invalid_argument.
int64_t parse_window_ms(const std::string& text, const std::string& flag);

}  // namespace sluice::cli
