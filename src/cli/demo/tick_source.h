// `sluice demo-source --kind ticks`: ASX market ticks (seed 003, tick_plan.h)
// to a topic at a steady rate, keyed "ASX.<symbol>", with the bad, duplicate
// and out-of-order shares asked for. See docs/demo-source.md#market-ticks.
//
// Invariant: as for the other sources, the manifest gets one line per tick the
// broker acknowledged, written when its delivery report arrives.
#pragma once

#include <cstdint>
#include <string>

#include "cli/demo/tick_plan.h"

namespace sluice::cli::demo {

struct TickSourceFlags {
  std::string bootstrap;
  std::string topic = "market.ticks.asx";
  double rate = 200;
  int linger_ms = 5;  // the producer's linger.ms
  int64_t count = 0;  // 0: until Ctrl-C
  std::string manifest;
  std::string session_date;  // YYYY-MM-DD of the first session; "" = today (UTC)
  int partitions = 100;      // the topic's, when the source creates it (seed 003: 100)
  // Avro ticks (avro_ticks.h): the schema registry and subject ("": <topic>-value).
  // Without a registry, ticks are JSON.
  std::string registry;
  std::string subject;
  TickOptions plan;
};

// Returns the process exit code: 1 when some tick was not acknowledged.
int run_tick_source(TickSourceFlags flags, bool seed_given);

}  // namespace sluice::cli::demo
