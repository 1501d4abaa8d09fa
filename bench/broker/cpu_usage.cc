// getrusage for ourselves; /proc/PID/stat fields 14-15 (utime, stime in clock
// ticks) for the broker, which is a child still running, so wait4 cannot help.
#include "cpu_usage.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

namespace sluice::bench {
namespace {

double seconds_of(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6;
}

double process_cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name (field 2) may contain spaces; fields after it are plain.
  auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string skip;
  for (int field = 3; field < 14; ++field) fields >> skip;
  double utime = 0, stime = 0;
  fields >> utime >> stime;
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace

CpuSample sample_cpu(pid_t broker) {
  CpuSample s;
  s.at = std::chrono::steady_clock::now();
  rusage self{};
  getrusage(RUSAGE_SELF, &self);
  s.bench_s = seconds_of(self.ru_utime) + seconds_of(self.ru_stime);
  s.broker_s = process_cpu_seconds(broker);
  return s;
}

std::string describe_cpu(const CpuSample& before, const CpuSample& after) {
  const double wall = std::chrono::duration<double>(after.at - before.at).count();
  const double bench = after.bench_s - before.bench_s;
  const double broker = after.broker_s - before.broker_s;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return fmt::format("CPU: bench {:.1f} s + broker {:.1f} s in {:.1f} s wall = {:.2f} of {} cores",
                     bench, broker, wall, wall > 0 ? (bench + broker) / wall / cores : 0, cores);
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

}  // namespace sluice::bench
