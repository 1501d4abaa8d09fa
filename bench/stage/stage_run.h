// The contender: `sluice run` with a one-stage passthrough pipeline, started as
// an operator would start it and timed until its output topic holds every
// record. Also snapshots the admin endpoint so a slow run says where time went.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace sluice::bench {

struct StageSetup {
  std::string sluice_bin;
  std::filesystem::path workdir;  // pipeline.yaml and stage.log go here
  std::string bootstrap;
  std::string input;
  std::string output;
  int32_t partitions = 4;
  int64_t count = 0;
};

struct StageResult {
  double seconds = 0;        // process start until the output holds `count` records
  double ready_seconds = 0;  // process start until the first output record
  std::string admin_url;
  std::string status_midway;       // GET /status when half the records were out
  std::string processing_metrics;  // kafka_processing_duration_seconds_{sum,count}
  std::string exit;                // how the process ended after SIGTERM
};

// Throws if the process does not start or copies nothing for 60 s.
StageResult run_passthrough_stage(const StageSetup& setup);

}  // namespace sluice::bench
