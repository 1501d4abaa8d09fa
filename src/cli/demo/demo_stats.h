// What `sluice demo-source` has done so far, and the two ways it says so: a
// progress line every second and a summary on exit (both for stderr).
// Touched only by the source's main thread (delivery reports arrive there too).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "cli/demo/demo_plan.h"

namespace sluice::cli::demo {

class DemoStats {
 public:
  DemoStats();

  void sent(Case kind);
  void delivered() { delivered_ += 1; }
  void failed(const std::string& error);

  int64_t sent_count() const { return sent_; }
  int64_t delivered_count() const { return delivered_; }
  int64_t failed_count() const { return failed_; }

  // "demo-source: 250 sent (50.0/s), 25 bad, 248 delivered, 0 failed, 310 file requests"
  std::string progress_line(int64_t file_requests, const std::string& kafka_problem);
  // The closing account, per bad case.
  std::string summary(int64_t unacknowledged, int64_t file_requests) const;

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start_, last_tick_;
  int64_t sent_at_last_tick_ = 0;
  int64_t sent_ = 0, bad_ = 0, delivered_ = 0, failed_ = 0;
  std::map<std::string, int64_t> by_case_;
  std::string first_error_;
};

}  // namespace sluice::cli::demo
