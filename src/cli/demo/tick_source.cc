#include "cli/demo/tick_source.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>

#include "cli/demo/avro_ticks.h"
#include "cli/demo/demo_producer.h"
#include "cli/demo/iot_plan.h"  // iso8601
#include "cli/demo/source_loop.h"
#include "common/random_id.h"
#include "kafka/admin_client.h"

namespace sluice::cli::demo {
namespace {

using Clock = std::chrono::steady_clock;

// Counts by case and by expected outcome, for stderr.
class TickStats {
 public:
  void sent(const Tick& t) {
    ++sent_;
    ++by_case_[t.kind];
    ++by_outcome_[t.expected];
  }
  void delivered() { ++delivered_; }
  void failed(const std::string& error) {
    if (failed_++ == 0) first_error_ = error;
  }
  int64_t sent_count() const { return sent_; }
  int64_t failed_count() const { return failed_; }

  std::string progress_line(const std::string& problem) const {
    const double secs = std::chrono::duration<double>(Clock::now() - start_).count();
    std::string line =
        fmt::format("demo-source: {} ticks sent ({:.1f}/s), {} delivered, {} failed;", sent_,
                    secs > 0 ? double(sent_) / secs : 0.0, delivered_, failed_);
    for (const auto& [k, n] : by_outcome_) line += fmt::format(" {} {}", n, k);
    if (!problem.empty()) line += " (" + problem + ")";
    return line;
  }

  std::string summary(int unacknowledged) const {
    std::string out =
        fmt::format("demo-source: done: {} sent, {} delivered, {} failed, {} unacknowledged", sent_,
                    delivered_, failed_, unacknowledged);
    for (const auto& [c, n] : by_case_) out += fmt::format("\n  {:<22} {}", tick_case_name(c), n);
    if (!first_error_.empty()) out += "\n  first delivery error: " + first_error_;
    return out;
  }

 private:
  Clock::time_point start_ = Clock::now();
  int64_t sent_ = 0, delivered_ = 0, failed_ = 0;
  std::map<TickCase, int64_t> by_case_;
  std::map<std::string, int64_t> by_outcome_;
  std::string first_error_;
};

int32_t days_of(const std::string& date) {
  using namespace std::chrono;
  if (date.empty()) return int32_t(floor<days>(system_clock::now()).time_since_epoch().count());
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (std::sscanf(date.c_str(), "%d-%u-%u%c", &y, &m, &d, &tail) != 3 ||
      !year_month_day{year{y}, month{m}, day{d}}.ok())
    throw std::invalid_argument("--session-date '" + date + "' must be a date such as 2026-12-07");
  return int32_t(sys_days{year_month_day{year{y}, month{m}, day{d}}}.time_since_epoch().count());
}

// Seed 003's topic has 100 partitions keyed by symbol, which an auto-created
// topic would not have: the source creates it when it is missing, and grows it
// when it has fewer partitions and no record yet (a consumer subscribed first
// and the broker auto-created it), as no key has been placed by the smaller
// count then. A topic holding records is left as it is.
void ensure_topic(const TickSourceFlags& f) {
  kafka::AdminClient admin({f.bootstrap, 10000});
  const auto topic = admin.find_topic(f.topic);
  if (!topic) return admin.create_topic({f.topic, f.partitions, -1, {}});
  if (int(topic->partitions.size()) >= f.partitions) return;
  for (const auto& p : topic->partitions)
    if (admin.watermarks(f.topic, p.id).high > 0) return;
  admin.add_partitions(f.topic, f.partitions);
}

}  // namespace

int run_tick_source(TickSourceFlags f, bool seed_given) {
  if (!seed_given) f.plan.seed = (uint64_t(std::random_device{}()) << 32) ^ std::random_device{}();
  f.plan.first_session_days = days_of(f.session_date);
  StopSignals signals;  // before the producer's threads start
  TickPlan plan(f.plan);
  ensure_topic(f);
  std::printf(
      "demo-source: ASX ticks of %lld symbols to %s at %s, %.0f/s, %lld ticks per session from "
      "%s (seed %llu)\n",
      static_cast<long long>(f.plan.symbols), f.topic.c_str(), f.bootstrap.c_str(), f.rate,
      static_cast<long long>(f.plan.session_ticks),
      iso8601(int64_t(f.plan.first_session_days) * 86'400'000, 0).substr(0, 10).c_str(),
      static_cast<unsigned long long>(f.plan.seed));
  std::fflush(stdout);

  std::optional<AvroTicks> avro;
  if (!f.registry.empty()) {
    const std::string subject = f.subject.empty() ? f.topic + "-value" : f.subject;
    avro.emplace(f.registry, subject);
    std::printf("demo-source: Avro with schema id %d of subject %s at %s\n", avro->schema_id(),
                subject.c_str(), f.registry.c_str());
    // Seed 003's bad input includes a producer trying an incompatible schema.
    if (f.plan.bad_share > 0)
      std::printf("demo-source: %s\n", avro->attempt_incompatible_registration().c_str());
    std::fflush(stdout);
  }
  Manifest manifest(f.manifest);
  TickStats stats;
  EventProducer producer(f.bootstrap, f.linger_ms, count_and_record(stats, manifest));
  ProgressTicker tick(manifest, [&] { return stats.progress_line(producer.last_problem()); });
  Pacer pacer(f.rate);
  while (!signals.stop && (f.count == 0 || stats.sent_count() < f.count)) {
    if (!pacer.wait_for(stats.sent_count(), signals.stop, [&] {
          producer.poll(0);
          tick();
        }))
      break;
    const Tick t = plan.next();
    producer.produce(f.topic, t.key, avro ? avro->encode(t.value) : t.value, random_hex(16),
                     manifest.enabled() ? tick_manifest_line(t) : "");
    stats.sent(t);
    producer.poll(0);
    tick();
  }
  const int unacknowledged = producer.flush(10000);
  manifest.flush();
  std::fprintf(stderr, "%s\n", stats.summary(unacknowledged).c_str());
  if (stats.failed_count() > 0 || unacknowledged > 0) {
    std::fprintf(stderr,
                 "demo-source: some ticks did not reach %s (see above); the manifest lists only "
                 "the acknowledged ones\n",
                 f.bootstrap.c_str());
    return 1;
  }
  return 0;
}

}  // namespace sluice::cli::demo
