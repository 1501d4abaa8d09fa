#include "cli/demo/iot_source.h"

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <random>

#include "cli/demo/demo_producer.h"
#include "cli/demo/source_loop.h"
#include "cli/support/datetime.h"
#include "common/random_id.h"
#include "pipeline/config_text.h"

namespace sluice::cli::demo {
namespace {

using Clock = std::chrono::steady_clock;

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Counts by case and the two ways of saying them, for stderr.
class IotStats {
 public:
  void sent(IotCase c) {
    ++sent_;
    ++by_case_[c];
  }
  void delivered() { ++delivered_; }
  void failed(const std::string& error) {
    if (failed_++ == 0) first_error_ = error;
  }
  int64_t sent_count() const { return sent_; }
  int64_t failed_count() const { return failed_; }

  std::string progress_line(const std::string& problem) {
    const double secs = std::chrono::duration<double>(Clock::now() - start_).count();
    std::string line = fmt::format(
        "demo-source: {} sent ({:.1f}/s), {} bad, {} late, {} duplicates, {} delivered, {} failed",
        sent_, secs > 0 ? double(sent_) / secs : 0.0, bad(), count(IotCase::kLate),
        count(IotCase::kDuplicate), delivered_, failed_);
    if (!problem.empty()) line += " (" + problem + ")";
    return line;
  }

  std::string summary(int unacknowledged) const {
    std::string out =
        fmt::format("demo-source: done: {} sent, {} delivered, {} failed, {} unacknowledged", sent_,
                    delivered_, failed_, unacknowledged);
    for (const auto& [c, n] : by_case_) out += fmt::format("\n  {:<22} {}", iot_case_name(c), n);
    if (!first_error_.empty()) out += "\n  first delivery error: " + first_error_;
    return out;
  }

 private:
  int64_t count(IotCase c) const {
    auto it = by_case_.find(c);
    return it == by_case_.end() ? 0 : it->second;
  }
  int64_t bad() const {
    int64_t n = 0;
    for (const auto& [c, k] : by_case_) n += int(c) >= int(IotCase::kValueOutOfRange) ? k : 0;
    return n;
  }

  Clock::time_point start_ = Clock::now();
  int64_t sent_ = 0, delivered_ = 0, failed_ = 0;
  std::map<IotCase, int64_t> by_case_;
  std::string first_error_;
};

}  // namespace

int run_iot_source(IotSourceFlags f, bool seed_given) {
  if (!seed_given) f.plan.seed = (uint64_t(std::random_device{}()) << 32) ^ std::random_device{}();
  f.plan.start_ms = f.start_time.empty() ? wall_ms() : parse_datetime_ms(f.start_time);
  if (f.event_interval.empty()) {
    f.plan.interval_ms = 1000.0 / f.rate;
  } else {
    auto ms = pipeline::parse_duration_ms(f.event_interval);
    if (!ms)
      throw std::invalid_argument("--event-interval '" + f.event_interval +
                                  "' must be a duration such as 20ms or 1s");
    f.plan.interval_ms = double(*ms);
  }
  StopSignals signals;  // before the producer's threads start
  const IotPlan plan(f.plan);
  std::printf(
      "demo-source: IoT events from %lld devices to %s at %s, %.0f/s, event time from %s every "
      "%g ms (seed %llu)\n",
      static_cast<long long>(f.plan.devices), f.topic.c_str(), f.bootstrap.c_str(), f.rate,
      iso8601(f.plan.start_ms, 0).c_str(), f.plan.interval_ms,
      static_cast<unsigned long long>(f.plan.seed));
  std::fflush(stdout);

  Manifest manifest(f.manifest);
  IotStats stats;
  EventProducer producer(f.bootstrap, f.linger_ms, count_and_record(stats, manifest));
  ProgressTicker tick(manifest, [&] { return stats.progress_line(producer.last_problem()); });
  Pacer pacer(f.rate);
  while (!signals.stop && (f.count == 0 || stats.sent_count() < f.count)) {
    if (!pacer.wait_for(stats.sent_count(), signals.stop, [&] {
          producer.poll(0);
          tick();
        }))
      break;
    const IotEvent e = plan.event(stats.sent_count());
    producer.produce(f.topic, e.key, e.value, random_hex(16),
                     manifest.enabled() ? iot_manifest_line(e) : "");
    stats.sent(e.kind);
    producer.poll(0);
    tick();
  }
  const int unacknowledged = producer.flush(10000);
  manifest.flush();
  std::fprintf(stderr, "%s\n", stats.summary(unacknowledged).c_str());
  if (stats.failed_count() > 0 || unacknowledged > 0) {
    std::fprintf(stderr,
                 "demo-source: some events did not reach %s (see above); the manifest lists only "
                 "the acknowledged ones\n",
                 f.bootstrap.c_str());
    return 1;
  }
  return 0;
}

}  // namespace sluice::cli::demo
