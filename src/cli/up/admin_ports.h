// Where `sluice up`'s processes serve their admin HTTP (/metrics, /healthz,
// /readyz, pause/resume), decided once when `sluice up` starts and kept for its
// whole life, so Prometheus scrapes a restarted process at the address it
// already knows and alerts about the dead one resolve by themselves.
//
// Layout for a base port B (--admin-base-port, default 9464):
//
//   B                  the built-in broker (its slot stays empty with --bootstrap)
//   B+1 .. B+N         the N stage processes, in pipeline order, replicas in order
//                      (ingest, download#1, download#2, result, ...)
//   B+N+1              `sluice exporter` (the incident log's gauges; lag too
//                      on an external cluster)
//   B+N+2              `sluice registry`, when the pipeline declares `schemas:`
//                      (its REST API and /metrics)
//
// Base 0 picks N+2 (N+3) distinct free ports once, at start, and keeps them the same
// way. Only the start checks that the ports are free (a busy one fails with a
// message naming the port, its process and the flag); a restarted process
// binds its old port again with SO_REUSEADDR (src/ops/admin_server.cc), which
// is allowed while connections of the killed process linger in TIME_WAIT.
#pragma once

#include <string>
#include <vector>

namespace sluice::cli {

inline constexpr int kDefaultAdminBasePort = 9464;

struct AdminPortPlan {
  int broker = 0;
  std::vector<int> stages;  // one per stage process, in start order
  int exporter = 0;
  int registry = 0;  // 0: no registry
};

// Throws std::invalid_argument when the layout does not fit below 65536.
AdminPortPlan plan_admin_ports(int base, size_t stage_processes, bool registry = false);

// Throws std::runtime_error naming the first port of `ports` that cannot be
// bound on 127.0.0.1 now, with `names[i]` saying whose it is, and the flag to change.
void check_admin_ports_free(const std::vector<int>& ports, const std::vector<std::string>& names);

}  // namespace sluice::cli
