// Which stage processes and which broker `sluice health` and `sluice incident
// assess|snapshot|postmortem` look at — the same choice for all four:
//
//   1. `--data-dir DATA`: every process of `sluice up --data-dir DATA` from its
//      process table (processes.json) — stage processes that are down included,
//      with their consumer groups — and its broker as the bootstrap, unless
//      `--bootstrap` (or SLUICE_BOOTSTRAP) names another;
//   2. else `--admin HOST:PORT`... (or SLUICE_ADMIN): those stage processes;
//   3. else SLUICE_DATA_DIR, or ./sluice-data when `sluice up` runs there: as 1;
//   4. else 127.0.0.1:9464, the default of `sluice run --admin`.
//
// Invariant: a process table that cannot be read is an error naming the file
// (never a silent fall-back to another pipeline's default address).
#pragma once

#include <string>
#include <vector>

#include "cli/incident/pipeline_observation.h"
#include "cli/support/kafka_flags.h"

namespace CLI {
class App;
}  // namespace CLI

namespace sluice::cli {

struct TargetFlags {
  std::vector<std::string> admins;
  std::string data_dir;
  KafkaFlags kafka;

  // --admin, --data-dir, --bootstrap and --timeout-ms.
  void add_to(CLI::App* cmd);
  // The processes and broker to observe over `window_ms`.
  ObserveOptions observe(int64_t window_ms) const;

 private:
  CLI::App* cmd_ = nullptr;
};

}  // namespace sluice::cli
