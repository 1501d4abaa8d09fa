// `sluice incident snapshot DIR` (runbook: "capture current state for
// analysis"): everything an incident review needs, from the moment it was
// taken, in one folder:
//   metrics-<host>_<port>.prom  each stage process's /metrics page, verbatim
//   status.json                 each process's /status, keyed by HOST:PORT
//   groups.txt                  every consumer group: per-partition offsets and lag
//   topics.txt                  every topic: partitions, leaders, replicas, ISR
//   assessment.json             what `sluice incident assess --json` says
//   logs/<file>                 the last 1000 lines of each --logs file
//   not-captured.txt            what could not be captured, and why (only then)
//
// Invariant: a part that cannot be captured (a dead stage, an unreachable
// broker, a missing log) is named in SnapshotReport::problems, and every other
// part is still written — a snapshot is taken while things are broken.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "cli/incident/pipeline_observation.h"

namespace sluice::cli {

struct SnapshotOptions {
  std::string dir;
  ObserveOptions observe;
  std::vector<std::string> logs;  // files, or directories whose regular files are taken
  size_t log_lines = 1000;
};

struct SnapshotReport {
  std::vector<std::string> written;   // "DIR/status.json (1234 bytes)"
  std::vector<std::string> problems;  // one sentence each
};

SnapshotReport take_snapshot(const SnapshotOptions& options);

// The last `n` lines of the file at `path` (all of it when shorter); reads
// backwards from the end, so a large log costs only its tail. Throws
// std::runtime_error naming the file when it cannot be read.
std::string tail_lines(const std::string& path, size_t n);

}  // namespace sluice::cli
