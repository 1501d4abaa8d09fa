#include "stage_run.h"

#include <librdkafka/rdkafkacpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <thread>

namespace sluice::bench {

int64_t records_in(const std::string& bootstrap, const std::string& topic) {
  std::unique_ptr<RdKafka::Conf> c(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  c->set("bootstrap.servers", bootstrap, err);
  std::unique_ptr<RdKafka::Producer> client(RdKafka::Producer::create(c.get(), err));
  std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(client.get(), topic, nullptr, err));
  RdKafka::Metadata* md = nullptr;
  if (client->metadata(false, t.get(), &md, 5000) != RdKafka::ERR_NO_ERROR) return 0;
  std::unique_ptr<RdKafka::Metadata> owned(md);
  int64_t total = 0;
  for (const auto* tm : *md->topics()) {
    for (const auto* pm : *tm->partitions()) {
      int64_t low = 0, high = 0;
      if (client->query_watermark_offsets(topic, pm->id(), &low, &high, 5000) == RdKafka::ERR_NO_ERROR) total += high;
    }
  }
  return total;
}

double run_passthrough_stage(const std::string& sluice_bin, const std::filesystem::path& workdir,
                             const std::string& bootstrap, const std::string& input, const std::string& output,
                             int64_t count) {
  auto yaml = workdir / "pipeline.yaml";
  std::ofstream(yaml) << "pipeline: bench\nbootstrap: " << bootstrap << "\nstages:\n  - name: copy\n    input: " << input
                      << "\n    outputs: [" << output << "]\n    processor: passthrough\n";
  auto log = (workdir / "stage.log").string();
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    freopen(log.c_str(), "w", stderr);
    freopen("/dev/null", "w", stdout);
    execl(sluice_bin.c_str(), sluice_bin.c_str(), "run", yaml.c_str(), "--admin", "127.0.0.1:0", nullptr);
    _exit(127);
  }
  auto deadline = start + std::chrono::minutes(10);
  while (records_in(bootstrap, output) < count) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      throw std::runtime_error("the stage did not copy every record within 10 minutes; see " + log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  return seconds;
}

}  // namespace sluice::bench
