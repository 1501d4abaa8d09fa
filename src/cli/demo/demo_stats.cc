#include "cli/demo/demo_stats.h"

#include <fmt/format.h>

namespace sluice::cli::demo {

DemoStats::DemoStats() : start_(Clock::now()), last_tick_(start_) {}

void DemoStats::sent(Case kind) {
  sent_ += 1;
  if (kind != Case::kGood) {
    bad_ += 1;
    by_case_[case_name(kind)] += 1;
  }
}

void DemoStats::failed(const std::string& error) {
  failed_ += 1;
  if (first_error_.empty()) first_error_ = error;
}

std::string DemoStats::progress_line(int64_t file_requests, const std::string& kafka_problem) {
  auto now = Clock::now();
  double seconds = std::chrono::duration<double>(now - last_tick_).count();
  double rate = seconds > 0 ? double(sent_ - sent_at_last_tick_) / seconds : 0;
  last_tick_ = now;
  sent_at_last_tick_ = sent_;
  std::string line = fmt::format(
      "demo-source: {} sent ({:.1f}/s), {} bad, {} delivered, {} failed, {} file requests", sent_,
      rate, bad_, delivered_, failed_, file_requests);
  if (!kafka_problem.empty() && delivered_ + failed_ < sent_) line += "; kafka: " + kafka_problem;
  return line;
}

std::string DemoStats::summary(int64_t unacknowledged, int64_t file_requests) const {
  double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  std::string cases;
  for (const auto& [name, n] : by_case_)
    cases += fmt::format("{}{} {}", cases.empty() ? "" : ", ", name, n);
  std::string out = fmt::format(
      "demo-source: {} events sent in {:.1f}s, {} bad{}; {} delivered, {} failed", sent_, seconds,
      bad_, cases.empty() ? "" : " (" + cases + ")", delivered_, failed_);
  if (unacknowledged > 0) out += fmt::format(", {} never acknowledged", unacknowledged);
  out += fmt::format("; {} file requests served", file_requests);
  if (!first_error_.empty()) out += "\ndemo-source: first delivery error: " + first_error_;
  return out;
}

}  // namespace sluice::cli::demo
