// Plain text, aligned, greppable: docs/performance.md quotes it verbatim.
#include "summary.h"

#include <fmt/format.h>

#include <algorithm>

namespace sluice::bench {
namespace {

const char* verdict(bool met) {
  return met ? "met" : "NOT met";
}

double ratio(double a, double b) {
  return b > 0 ? a / b : 0;
}

// One line per phase: throughput, then latency, then each as a ratio to `base`.
// One line: each second's ack p99 / max, to tell a few stalls from a growing queue.
void print_timeline(const LatencyResult& l) {
  fmt::print("  ack p99/max ms by second sent:");
  for (const LatencySlice& s : l.ack_by_second) {
    fmt::print(" {}:{:.1f}/{:.1f}", s.second, s.ack.p99_ms, s.ack.max_ms);
  }
  fmt::print("\n");
}

void print_load_phase(const LoadPhase& p, const LoadPhase* base) {
  fmt::print("produce {}: {:.1f} MB/s {:.0f} msg/s  [{} msgs in {:.2f} s, {} failed]", p.name,
             p.produce.mb_per_s(), p.produce.msgs_per_s(), p.produce.messages, p.produce.seconds,
             p.produce.errors);
  if (base != nullptr && base != &p) {
    fmt::print("  {}/{} throughput {:.2f}", p.name, base->name,
               ratio(p.produce.msgs_per_s(), base->produce.msgs_per_s()));
  }
  fmt::print("\n  produce {}\n", p.produce_cpu);
  const LatencyResult& l = p.latency;
  if (l.sent == 0) {
    fmt::print("latency {}: not measured\n", p.name);
    return;
  }
  fmt::print(
      "latency {} at {:.0f} msg/s (asked {:.0f}): ack p50 {:.2f} ms p99 {:.2f} ms max {:.2f} ms; "
      "end-to-end p99 {:.2f} ms  [{} acks, {} failed]",
      p.name, l.achieved_rate, l.target_rate, l.ack.p50_ms, l.ack.p99_ms, l.ack.max_ms,
      l.end_to_end.p99_ms, l.ack.count, l.failed);
  if (base != nullptr && base != &p && base->latency.sent > 0) {
    fmt::print("  {}/{} p99 {:.2f}", p.name, base->name,
               ratio(l.ack.p99_ms, base->latency.ack.p99_ms));
  }
  fmt::print("\n  latency run {}\n", p.latency_cpu);
}

void print_idle_phase(const IdlePhase& i, const LoadPhase* base) {
  fmt::print("idle connections: {} open of {} asked{}\n", i.opened, i.asked,
             i.problem.empty() ? "" : " (" + i.problem + ")");
  const double peak_rss = std::max(i.with_idle.rss_mib(), i.after_load.rss_mib());
  fmt::print(
      "  broker RSS {:.1f} MiB before, {:.1f} MiB with them, {:.1f} MiB after load "
      "(target < {:.0f} MiB: {})\n",
      i.before.rss_mib(), i.with_idle.rss_mib(), i.after_load.rss_mib(), kTargetIdleRssMib,
      verdict(peak_rss < kTargetIdleRssMib));
  fmt::print("  broker threads {} before, {} with them, {} after load (target constant: {})\n",
             i.before.threads, i.with_idle.threads, i.after_load.threads,
             verdict(i.with_idle.threads == i.before.threads));
  if (i.load) print_load_phase(*i.load, base);
}

void print_serving(const BenchOptions& o, const ServingResult& s) {
  if (s.protocols.empty() && !s.idle) return;
  fmt::print("-- serving phases: one broker, flush=always, latency runs at {:.0f} msg/s ({})\n",
             s.latency_rate,
             o.latency_rate > 0
                 ? "--latency-rate"
                 : fmt::format("{:.2f} of the lowest peak below", o.latency_rate_fraction));
  const LoadPhase* base = s.protocols.empty() ? nullptr : &s.protocols.front();
  for (const LoadPhase& p : s.protocols) print_load_phase(p, base);
  if (s.idle) print_idle_phase(*s.idle, base);
  fmt::print("broker (serving phases) stopped: {}\n", s.broker_exit);
}

// --compare kafka: per flush mode, sluice's figures over Kafka's, each with the
// direction that is better and the goal.
void print_comparison(const std::vector<ModeResult>& modes) {
  for (const ModeResult& k : modes) {
    if (k.target != "kafka") continue;
    const auto s = std::find_if(modes.begin(), modes.end(), [&](const ModeResult& m) {
      return m.target == "sluice" && m.flush == k.flush;
    });
    if (s == modes.end()) continue;
    fmt::print("-- sluice / Apache Kafka, flush={} (Kafka {}):\n", k.flush,
               k.flush == "always"
                   ? "log.flush.interval.messages=1"
                   : "log.flush.interval.ms=" + k.flush.substr(0, k.flush.size() - 2));
    const double produce = ratio(s->produce.mb_per_s(), k.produce.mb_per_s());
    const double consume = ratio(s->consume.mb_per_s(), k.consume.mb_per_s());
    fmt::print("  produce MB/s {:.2f}x, consume MB/s {:.2f}x (goal >= 1.5x: {})\n", produce,
               consume, verdict(produce >= 1.5 && consume >= 1.5));
    if (s->latency.sent > 0 && k.latency.sent > 0) {
      const double ack = ratio(s->latency.ack.p99_ms, k.latency.ack.p99_ms);
      fmt::print(
          "  at half of each one's peak: ack p50 {:.2f}x p99 {:.2f}x p99.9 {:.2f}x; end-to-end p50 "
          "{:.2f}x p99 {:.2f}x p99.9 {:.2f}x (p99 goal <= 0.5x: {})\n",
          ratio(s->latency.ack.p50_ms, k.latency.ack.p50_ms), ack,
          ratio(s->latency.ack.p999_ms, k.latency.ack.p999_ms),
          ratio(s->latency.end_to_end.p50_ms, k.latency.end_to_end.p50_ms),
          ratio(s->latency.end_to_end.p99_ms, k.latency.end_to_end.p99_ms),
          ratio(s->latency.end_to_end.p999_ms, k.latency.end_to_end.p999_ms), verdict(ack <= 0.5));
    }
    const double rss = ratio(s->peak_rss_mib, k.peak_rss_mib);
    fmt::print("  peak RSS {:.3f}x (goal <= 0.1x: {}), CPU-s per GB {:.2f}x\n", rss,
               verdict(rss <= 0.1), ratio(s->cpu_s_per_gb(), k.cpu_s_per_gb()));
  }
}

}  // namespace

void print_summary(const BenchOptions& o, const RunContext& context, const DiskResult& disk,
                   const std::vector<ModeResult>& modes, const ServingResult& serving) {
  fmt::print("\n==== sluice broker benchmark summary ====\n");
  fmt::print(
      "config: {} messages x {} B values, {} partitions, producer acks=all linger.ms={} "
      "batch.size={} compression=none, {} latency producer(s); MB = 10^6 bytes of values\n",
      o.messages, o.value_bytes, o.partitions, o.linger_ms, o.batch_bytes, o.latency_producers);
  fmt::print("load average: {} at start, {} at end (other work on the machine skews figures)\n",
             context.load_before, context.load_after);
  fmt::print("disk sequential write ({}): {:.1f} MB/s ({} MiB in {:.2f} s)\n", disk.method,
             disk.mb_per_s(), disk.bytes >> 20, disk.seconds);
  for (const ModeResult& m : modes) {
    const double ratio = disk.mb_per_s() > 0 ? m.produce.mb_per_s() / disk.mb_per_s() : 0;
    fmt::print(
        "produce acks=all {}: {:.1f} MB/s {:.0f} msg/s  ratio {:.2f} of disk "
        "(target >= {:.2f}: {})  [{} msgs in {:.2f} s, {} failed]\n",
        m.label(), m.produce.mb_per_s(), m.produce.msgs_per_s(), ratio, kTargetDiskRatio,
        ratio >= kTargetDiskRatio ? "met" : "NOT met", m.produce.messages, m.produce.seconds,
        m.produce.errors);
    fmt::print("  produce {}\n", m.produce_cpu);
    fmt::print("consume {}: {:.1f} MB/s {:.0f} msg/s  [{} msgs in {:.2f} s, {} errors]\n",
               m.label(), m.consume.mb_per_s(), m.consume.msgs_per_s(), m.consume.messages,
               m.consume.seconds, m.consume.errors);
    fmt::print("  consume {}\n", m.consume_cpu);
    const LatencyResult& l = m.latency;
    if (l.sent == 0) {
      fmt::print("latency {}: not measured\n", m.label());
    } else {
      fmt::print(
          "produce latency {} at {:.0f} msg/s (asked {:.0f}): p50 {:.2f} ms p99 "
          "{:.2f} ms p99.9 {:.2f} ms max {:.2f} ms  [{} acks, {} failed]\n",
          m.label(), l.achieved_rate, l.target_rate, l.ack.p50_ms, l.ack.p99_ms, l.ack.p999_ms,
          l.ack.max_ms, l.ack.count, l.failed);
      if (m.flush == "always" && m.target == "sluice") {
        fmt::print("  p99 target with flush=always: < {:.0f} ms at {:.2f} of the peak: {}\n",
                   kTargetLatencyP99Ms, l.target_rate / std::max(1.0, m.produce.msgs_per_s()),
                   verdict(l.ack.p99_ms < kTargetLatencyP99Ms));
      }
      fmt::print(
          "end-to-end latency {} at {:.0f} msg/s: p50 {:.2f} ms p99 {:.2f} ms "
          "p99.9 {:.2f} ms max {:.2f} ms  [{} of {} consumed]\n",
          m.label(), l.achieved_rate, l.end_to_end.p50_ms, l.end_to_end.p99_ms,
          l.end_to_end.p999_ms, l.end_to_end.max_ms, l.consumed, l.sent - l.failed);
      fmt::print("  latency run {}\n", m.latency_cpu);
      if (o.latency_timeline) print_timeline(l);
      if (l.achieved_rate < 0.95 * l.target_rate) {
        fmt::print(
            "  note: the sender fell behind its schedule (librdkafka's queue was full or the "
            "CPU busy): the broker did not sustain the asked rate, so these latencies are "
            "queueing under overload\n");
      }
    }
    fmt::print(
        "broker {}: peak RSS {:.1f} MiB, {:.2f} CPU-s per GB produced and consumed; stopped: {}\n",
        m.label(), m.peak_rss_mib, m.cpu_s_per_gb(), m.broker_exit);
  }
  print_comparison(modes);
  print_serving(o, serving);
}

}  // namespace sluice::bench
