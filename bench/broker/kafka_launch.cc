#include "kafka_launch.h"

#include <stdexcept>

namespace sluice::bench {

std::vector<std::string> kafka_flush_settings(const std::string& flush) {
  if (flush == "always") return {"log.flush.interval.messages=1"};
  if (flush.size() > 2 && flush.ends_with("ms") &&
      flush.find_first_not_of("0123456789") == flush.size() - 2) {
    return {"log.flush.interval.ms=" + flush.substr(0, flush.size() - 2)};
  }
  throw std::invalid_argument("no Kafka setting matches --flush " + flush +
                              " (--compare kafka takes always or Nms)");
}

BrokerLaunch kafka_launch(const std::filesystem::path& dir, const std::filesystem::path& log_file,
                          const std::string& flush, int32_t partitions) {
  BrokerLaunch launch;
  launch.data_dir = dir;
  launch.log_file = log_file;
  launch.flush = flush;
  launch.default_partitions = partitions;
  // SLUICE_SOURCE_DIR is defined for this file alone (bench/CMakeLists.txt), so
  // the other objects stay the same in every clone (ccache).
  launch.command = {"python3",
                    std::string(SLUICE_SOURCE_DIR) + "/tests/kafka_dist.py",
                    "cluster",
                    "--nodes",
                    "1",
                    "--dir",
                    dir.string(),
                    "--config",
                    "num.partitions=" + std::to_string(partitions)};
  for (const std::string& setting : kafka_flush_settings(flush)) {
    launch.command.push_back("--config");
    launch.command.push_back(setting);
  }
  // Formatting the storage and starting a JVM, on a busy 2-core machine.
  launch.start_timeout = std::chrono::seconds(180);
  return launch;
}

}  // namespace sluice::bench
