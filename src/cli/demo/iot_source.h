// `sluice demo-source --kind iot`: IoT device events (seed 004) to a topic at a
// steady rate, keyed by device id, with the bad, late, out-of-order and
// duplicate shares asked for (iot_plan.h). See docs/demo-source.md#iot-events.
//
// Invariant: as for the claims source, the manifest gets one line per event the
// broker acknowledged, written when its delivery report arrives.
#pragma once

#include <cstdint>
#include <string>

#include "cli/demo/iot_plan.h"

namespace sluice::cli::demo {

struct IotSourceFlags {
  std::string bootstrap;
  std::string topic = "iot-events";
  double rate = 50;
  int linger_ms = 5;  // the producer's linger.ms
  int64_t count = 0;  // 0: until Ctrl-C
  std::string manifest;
  std::string start_time;      // ISO 8601 event time of event 0; "" = now
  std::string event_interval;  // event time between events; "" = 1/rate (real time)
  IotOptions plan;
};

// Returns the process exit code: 1 when some event was not acknowledged.
int run_iot_source(IotSourceFlags flags, bool seed_given);

}  // namespace sluice::cli::demo
