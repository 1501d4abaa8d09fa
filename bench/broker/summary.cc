// Plain text, aligned, greppable: docs/performance.md quotes it verbatim.
#include "summary.h"

#include <fmt/format.h>

namespace sluice::bench {

void print_summary(const BenchOptions& o, const RunContext& context, const DiskResult& disk,
                   const std::vector<ModeResult>& modes) {
  fmt::print("\n==== sluice broker benchmark summary ====\n");
  fmt::print(
      "config: {} messages x {} B values, {} partitions, producer acks=all linger.ms={} "
      "batch.size={} compression=none; MB = 10^6 bytes of values\n",
      o.messages, o.value_bytes, o.partitions, o.linger_ms, o.batch_bytes);
  fmt::print("load average: {} at start, {} at end (other work on the machine skews figures)\n",
             context.load_before, context.load_after);
  fmt::print("disk sequential write ({}): {:.1f} MB/s ({} MiB in {:.2f} s)\n", disk.method,
             disk.mb_per_s(), disk.bytes >> 20, disk.seconds);
  for (const ModeResult& m : modes) {
    const double ratio = disk.mb_per_s() > 0 ? m.produce.mb_per_s() / disk.mb_per_s() : 0;
    fmt::print(
        "produce acks=all flush={}: {:.1f} MB/s {:.0f} msg/s  ratio {:.2f} of disk "
        "(target >= {:.2f}: {})  [{} msgs in {:.2f} s, {} failed]\n",
        m.flush, m.produce.mb_per_s(), m.produce.msgs_per_s(), ratio, kTargetDiskRatio,
        ratio >= kTargetDiskRatio ? "met" : "NOT met", m.produce.messages, m.produce.seconds,
        m.produce.errors);
    fmt::print("  produce {}\n", m.produce_cpu);
    fmt::print("consume flush={}: {:.1f} MB/s {:.0f} msg/s  [{} msgs in {:.2f} s, {} errors]\n",
               m.flush, m.consume.mb_per_s(), m.consume.msgs_per_s(), m.consume.messages,
               m.consume.seconds, m.consume.errors);
    fmt::print("  consume {}\n", m.consume_cpu);
    const LatencyResult& l = m.latency;
    if (l.sent == 0) {
      fmt::print("latency flush={}: not measured\n", m.flush);
    } else {
      fmt::print(
          "produce latency flush={} at {:.0f} msg/s (asked {:.0f}): p50 {:.2f} ms p99 "
          "{:.2f} ms p99.9 {:.2f} ms max {:.2f} ms  [{} acks, {} failed]\n",
          m.flush, l.achieved_rate, l.target_rate, l.ack.p50_ms, l.ack.p99_ms, l.ack.p999_ms,
          l.ack.max_ms, l.ack.count, l.failed);
      fmt::print(
          "end-to-end latency flush={} at {:.0f} msg/s: p50 {:.2f} ms p99 {:.2f} ms "
          "p99.9 {:.2f} ms max {:.2f} ms  [{} of {} consumed]\n",
          m.flush, l.achieved_rate, l.end_to_end.p50_ms, l.end_to_end.p99_ms, l.end_to_end.p999_ms,
          l.end_to_end.max_ms, l.consumed, l.sent - l.failed);
      fmt::print("  latency run {}\n", m.latency_cpu);
      if (l.achieved_rate < 0.95 * l.target_rate) {
        fmt::print(
            "  note: the sender fell behind its schedule (librdkafka's queue was full or the "
            "CPU busy): the broker did not sustain the asked rate, so these latencies are "
            "queueing under overload\n");
      }
    }
    fmt::print("broker flush={} stopped: {}\n", m.flush, m.broker_exit);
  }
}

}  // namespace sluice::bench
