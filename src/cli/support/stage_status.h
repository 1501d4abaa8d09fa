// What a stage process answers on GET /status (and POST /pause|/resume): one
// JSON object per stage it runs. The one reader of that body, for `sluice
// status|pause|resume` and for `sluice health`/`incident`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::cli {

struct StageState {  // one element of GET /status
  std::string stage;
  bool paused = false;
  int64_t assigned_partitions = 0, buffered = 0, in_flight = 0, processed = 0, dead_lettered = 0;
  std::string stalled;  // why it cannot make progress; "" when it can
};

// [{"stage":..,"paused":..,...}]. A body that does not parse yields no stages;
// a missing or mistyped field keeps its default.
std::vector<StageState> parse_status(const std::string& body);

}  // namespace sluice::cli
