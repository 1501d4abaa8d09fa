// bench_broker: how close does `sluice broker` come to the disk? One run
// measures the disk's sequential-write limit, then for each --flush mode starts a
// fresh broker on the same filesystem and measures produce throughput (acks=all),
// consume throughput and latency at a fixed fraction of the peak rate; then, on
// one more broker, the serving phases (serving_phases.h): PLAINTEXT vs SSL vs
// SASL_SSL, and load with 10,000 idle connections open. With --compare kafka each
// flush mode runs on a one-node Apache Kafka too (kafka_launch.h), the same
// workloads in the same run, and the summary prints sluice/Kafka ratios. It prints figures and
// never asserts on them; it exits non-zero only if it could not run.
#include <fmt/format.h>

#include <exception>
#include <filesystem>

#include "broker_process.h"
#include "consume_throughput.h"
#include "cpu_usage.h"
#include "disk_limit.h"
#include "kafka_launch.h"
#include "latency_run.h"
#include "options.h"
#include "payload.h"
#include "process_status.h"
#include "produce_throughput.h"
#include "scratch_dir.h"
#include "serving_phases.h"
#include "summary.h"

namespace sluice::bench {
namespace {

ModeResult run_mode(const BenchOptions& o, const std::filesystem::path& scratch,
                    const std::string& flush, const PayloadPool& payloads, bool kafka) {
  ModeResult m;
  m.flush = flush;
  m.target = kafka ? "kafka" : "sluice";
  const std::string name = m.target + "-" + (flush == "always" ? flush : "every-" + flush);
  const std::filesystem::path data_dir = scratch / name;
  const std::filesystem::path log = scratch / (name + ".log");
  BrokerProcess broker(kafka ? kafka_launch(data_dir, log, flush, o.partitions)
                             : BrokerLaunch{o.sluice_bin, data_dir, log, flush, o.partitions});
  const std::string label = m.label();
  fmt::print("[{}] {}\n", label, broker.ready_line());

  ProducerSettings producer{broker.bootstrap(), {}, o.linger_ms, o.batch_bytes};
  fmt::print("[{}] producing {} messages ...\n", label, o.messages);
  std::fflush(stdout);
  const CpuSample start = sample_cpu(broker.pid());
  CpuSample before = start;
  m.produce =
      run_produce_throughput(producer, "bench-throughput", o.partitions, o.messages, payloads);
  m.produce_cpu = describe_cpu(before, sample_cpu(broker.pid()));
  fmt::print("[{}] produce: {:.1f} MB/s {:.0f} msg/s\n", label, m.produce.mb_per_s(),
             m.produce.msgs_per_s());

  fmt::print("[{}] consuming ...\n", label);
  std::fflush(stdout);
  before = sample_cpu(broker.pid());
  m.consume = run_consume_throughput(broker.bootstrap(), "bench-throughput", o.partitions);
  const CpuSample moved = sample_cpu(broker.pid());
  m.consume_cpu = describe_cpu(before, moved);
  m.broker_cpu_s = moved.broker_s - start.broker_s;
  fmt::print("[{}] consume: {:.1f} MB/s {:.0f} msg/s\n", label, m.consume.mb_per_s(),
             m.consume.msgs_per_s());

  const double rate = o.latency_rate_after(m.produce.msgs_per_s());
  if (rate >= 1) {
    fmt::print("[{}] latency run: {:.0f} msg/s for {} s ...\n", label, rate, o.latency_seconds);
    std::fflush(stdout);
    before = sample_cpu(broker.pid());
    m.latency = run_latency(producer, "bench-latency", o.partitions, rate, o.latency_seconds,
                            payloads, o.latency_producers);
    m.latency_cpu = describe_cpu(before, sample_cpu(broker.pid()));
    fmt::print("[{}] ack p50 {:.2f} ms p99 {:.2f} ms; end-to-end p50 {:.2f} ms p99 {:.2f} ms\n",
               label, m.latency.ack.p50_ms, m.latency.ack.p99_ms, m.latency.end_to_end.p50_ms,
               m.latency.end_to_end.p99_ms);
  }
  m.peak_rss_mib = static_cast<double>(read_process_status(broker.pid()).peak_rss_kib) / 1024.0;
  m.broker_exit = broker.stop();
  // Free the space now: a later mode writes as much again.
  std::filesystem::remove_all(data_dir);
  return m;
}

int run(const BenchOptions& o) {
  RunContext context;
  context.load_before = load_average();
  ScratchDir scratch(o.parent_dir, o.keep_data);
  fmt::print("scratch directory: {}\nbroker binary: {}\n", scratch.path().string(), o.sluice_bin);
  fmt::print("measuring disk sequential write ({} MiB) ...\n", o.disk_mb);
  std::fflush(stdout);
  const DiskResult disk = measure_sequential_write(scratch.path(), o.disk_mb);
  fmt::print("disk: {:.1f} MB/s\n", disk.mb_per_s());

  const PayloadPool payloads(static_cast<size_t>(o.value_bytes));
  std::vector<ModeResult> modes;
  for (const std::string& flush : o.flush_modes) {
    modes.push_back(run_mode(o, scratch.path(), flush, payloads, false));
    if (o.compare_kafka) modes.push_back(run_mode(o, scratch.path(), flush, payloads, true));
  }
  const ServingResult serving = run_serving_phases(o, scratch.path(), payloads);
  context.load_after = load_average();
  print_summary(o, context, disk, modes, serving);
  return 0;
}

}  // namespace
}  // namespace sluice::bench

int main(int argc, char** argv) {
  const auto options = sluice::bench::parse_options(argc, argv);
  try {
    return sluice::bench::run(options);
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_broker: {}\n", e.what());
    return 1;
  }
}
