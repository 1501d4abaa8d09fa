// The live figures `sluice up` shows once a second, read from every stage
// process's own /metrics (the supervisor holds no counters of its own, so what
// it shows is what Prometheus would scrape). `sluice health` and `sluice
// incident` read the same figures from any HOST:PORT.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace sluice::cli {

struct ScrapeTarget {
  std::string stage;
  int port = 0;  // the stage process's admin port; 0 while it is down
  std::string host = "127.0.0.1";
};

struct PipelineFigures {
  std::map<std::string, double> consumed;  // input topic -> records consumed (all stages)
  std::map<std::string, double> produced;  // topic -> records produced and acknowledged
  double lag = 0;
  int open_breakers = 0;
  int processes_up = 0;
  std::set<std::string> answered;              // "host:port" of every target that answered
  double errors = 0;                           // kafka_processing_errors_total, all series
  std::map<std::string, double> stage_errors;  // stage -> processing errors
  std::set<std::string> groups;                // consumer groups those stages consume in
  std::set<std::string> open_breaker_names;    // breakers in state 1 (open)
  double max_lag_seconds = 0;                  // oldest unprocessed record, any partition
  // Window stage -> its combined event-time watermark (seconds since the epoch), the
  // lowest over its processes; stages without one (yet) are absent.
  std::map<std::string, double> watermarks;
  double dead_lettered() const;  // produced to *.dlq and *.dlq.parked topics
  double total_consumed() const;
};

PipelineFigures scrape(const std::vector<ScrapeTarget>& targets);

// The stages that some target's GET /status reports as paused (`sluice pause`,
// or an open breaker holding its partitions). A target that does not answer adds nothing.
std::set<std::string> paused_stages(const std::vector<ScrapeTarget>& targets);

}  // namespace sluice::cli
