// Runs `sluice broker` as a child process on a free loopback port, so tests
// talk to it exactly as real clients would: over TCP, with nothing mocked.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace sluice::testing {

class BrokerProcess {
 public:
  // Starts a broker on a fresh temporary data dir with the given extra flags.
  explicit BrokerProcess(std::vector<std::string> flags = {});
  ~BrokerProcess();

  std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& data_dir() const { return data_dir_; }

  void kill9();  // SIGKILL, no chance to flush
  void stop();   // SIGTERM and wait
  void start();  // (re)start on the same data dir, same port when known
  bool running() const { return pid_ > 0; }

 private:
  std::filesystem::path data_dir_;
  std::vector<std::string> flags_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace sluice::testing
