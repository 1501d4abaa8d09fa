// Every latency run of these phases uses one rate: a fraction (--latency-rate-
// fraction) of the lowest peak measured over the protocols, so the runs are
// comparable and none is asked for more than its listener can carry.
#include "serving_phases.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <thread>

#include "broker_process.h"
#include "cpu_usage.h"
#include "idle_connections.h"
#include "produce_throughput.h"
#include "secure_listeners.h"

namespace sluice::bench {
namespace {

constexpr const char* kFlush = "always";

std::string topic_for(const std::string& name) {
  std::string t = "bench-serving-";
  for (char c : name)
    t += std::isalnum(static_cast<unsigned char>(c)) ? char(std::tolower(c)) : '-';
  return t;
}

void measure_throughput(const BenchOptions& o, const ProducerSettings& producer, pid_t broker,
                        const PayloadPool& payloads, LoadPhase& phase) {
  fmt::print("[{}] producing {} messages ...\n", phase.name, o.messages);
  std::fflush(stdout);
  CpuSample before = sample_cpu(broker);
  phase.produce =
      run_produce_throughput(producer, topic_for(phase.name), o.partitions, o.messages, payloads);
  phase.produce_cpu = describe_cpu(before, sample_cpu(broker));
  fmt::print("[{}] produce: {:.1f} MB/s {:.0f} msg/s\n", phase.name, phase.produce.mb_per_s(),
             phase.produce.msgs_per_s());
}

void measure_latency(const BenchOptions& o, const ProducerSettings& producer, pid_t broker,
                     const PayloadPool& payloads, double rate, LoadPhase& phase) {
  if (rate < 1) return;
  fmt::print("[{}] latency run: {:.0f} msg/s for {} s ...\n", phase.name, rate, o.latency_seconds);
  std::fflush(stdout);
  CpuSample before = sample_cpu(broker);
  phase.latency = run_latency(producer, topic_for(phase.name) + "-latency", o.partitions, rate,
                              o.latency_seconds, payloads, o.latency_producers);
  phase.latency_cpu = describe_cpu(before, sample_cpu(broker));
  fmt::print("[{}] ack p50 {:.2f} ms p99 {:.2f} ms\n", phase.name, phase.latency.ack.p50_ms,
             phase.latency.ack.p99_ms);
}

// Until the broker holds `expected` descriptors (the connections were accepted),
// or 30 s passed.
ProcessStatus wait_for_descriptors(pid_t broker, int64_t expected) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  ProcessStatus s = read_process_status(broker);
  while (s.open_fds < expected && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    s = read_process_status(broker);
  }
  return s;
}

IdlePhase run_idle_phase(const BenchOptions& o, const BrokerProcess& broker, int port,
                         const PayloadPool& payloads, double rate) {
  IdlePhase idle;
  idle.asked = o.idle_connections;
  // This process holds the idle sockets plus the clients' own.
  int64_t limit = raise_open_files_limit(o.idle_connections + 1024);
  fmt::print("[idle] opening {} idle connections (open-files limit {}) ...\n", idle.asked, limit);
  std::fflush(stdout);
  idle.before = read_process_status(broker.pid());
  IdleConnections connections(port, std::min(idle.asked, limit - 512));
  idle.opened = connections.open();
  idle.problem = connections.problem();
  if (idle.opened < idle.asked && idle.problem.empty()) {
    idle.problem = fmt::format("the open-files limit of the bench is {}", limit);
  }
  idle.with_idle = wait_for_descriptors(broker.pid(), idle.before.open_fds + idle.opened);
  fmt::print("[idle] {} open: broker RSS {:.1f} -> {:.1f} MiB, threads {} -> {}\n", idle.opened,
             idle.before.rss_mib(), idle.with_idle.rss_mib(), idle.before.threads,
             idle.with_idle.threads);
  LoadPhase load;
  load.name = fmt::format("PLAINTEXT + {} idle", idle.opened);
  ProducerSettings producer{broker.bootstrap(), {}, o.linger_ms, o.batch_bytes};
  measure_throughput(o, producer, broker.pid(), payloads, load);
  // Without protocol phases, the rate is a fraction of this phase's own peak.
  if (rate < 1) rate = o.latency_rate_after(load.produce.msgs_per_s());
  measure_latency(o, producer, broker.pid(), payloads, rate, load);
  idle.load = std::move(load);
  idle.after_load = read_process_status(broker.pid());
  return idle;
}

}  // namespace

ServingResult run_serving_phases(const BenchOptions& o, const std::filesystem::path& scratch,
                                 const PayloadPool& payloads) {
  ServingResult result;
  const std::filesystem::path data_dir = scratch / "broker-serving";
  const bool secure = std::any_of(o.protocols.begin(), o.protocols.end(),
                                  [](const std::string& p) { return p != "PLAINTEXT"; });
  std::unique_ptr<SecureListeners> listeners;
  if (secure) listeners = std::make_unique<SecureListeners>(o.sluice_bin, scratch, data_dir);

  BrokerLaunch launch{o.sluice_bin, data_dir,     scratch / "broker-serving.log",
                      kFlush,       o.partitions, {}};
  if (listeners) launch.extra_args = listeners->broker_args();
  // Room for the idle connections and the clients beside them.
  launch.extra_args.insert(launch.extra_args.end(),
                           {"--max-connections", std::to_string(o.idle_connections + 1024)});
  BrokerProcess broker(launch);
  fmt::print("[serving] {}\n", broker.ready_line());

  std::vector<ProducerSettings> producers;
  for (const std::string& protocol : o.protocols) {
    LoadPhase& phase = result.protocols.emplace_back();
    phase.name = protocol;
    ProducerSettings producer{broker.bootstrap(), {}, o.linger_ms, o.batch_bytes};
    if (protocol != "PLAINTEXT") {
      producer.bootstrap = listeners->bootstrap(protocol);
      producer.security = listeners->client(protocol);
    }
    measure_throughput(o, producer, broker.pid(), payloads, phase);
    producers.push_back(producer);
  }
  double lowest_peak = 0;
  for (const LoadPhase& p : result.protocols) {
    if (lowest_peak == 0 || p.produce.msgs_per_s() < lowest_peak)
      lowest_peak = p.produce.msgs_per_s();
  }
  result.latency_rate = o.latency_rate_after(lowest_peak);
  for (size_t i = 0; i < result.protocols.size(); ++i) {
    measure_latency(o, producers[i], broker.pid(), payloads, result.latency_rate,
                    result.protocols[i]);
  }
  if (o.idle_connections > 0) {
    const std::string& bootstrap = broker.bootstrap();
    int port = std::atoi(bootstrap.c_str() + bootstrap.rfind(':') + 1);
    result.idle = run_idle_phase(o, broker, port, payloads, result.latency_rate);
  }
  result.broker_exit = broker.stop();
  std::filesystem::remove_all(data_dir);
  return result;
}

}  // namespace sluice::bench
