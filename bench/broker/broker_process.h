// Runs the broker under test as a child process, exactly as an operator would:
// `sluice broker --data-dir D --listen 127.0.0.1:0 --flush F ...`, or another
// broker's launcher (kafka_launch.h). The benchmark only talks to it over loopback
// TCP, so the figures include the real network stack.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace sluice::bench {

struct BrokerLaunch {
  std::string binary;
  std::filesystem::path data_dir;
  std::filesystem::path log_file;       // the broker's stderr goes here
  std::string flush;                    // value of --flush
  int32_t default_partitions = 1;       // partitions of auto-created topics
  std::vector<std::string> extra_args;  // more flags: listeners, TLS, limits
  // Instead of `sluice broker ...`: a command whose first line on stdout names
  // 127.0.0.1:PORT and, as pid=N, the process to measure when that is not the
  // command itself (a JVM started by a launcher script).
  std::vector<std::string> command;
  std::chrono::seconds start_timeout{30};
};

class BrokerProcess {
 public:
  // Starts the broker and waits (up to 30 s) for its ready line; throws with the
  // tail of the log if it exits or stays silent.
  explicit BrokerProcess(const BrokerLaunch& launch);
  // SIGTERM then wait; SIGKILL if it has not exited after 30 s.
  ~BrokerProcess();
  BrokerProcess(const BrokerProcess&) = delete;
  BrokerProcess& operator=(const BrokerProcess&) = delete;

  std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& ready_line() const { return ready_line_; }
  // The broker's own process: what CPU and memory figures are read from.
  pid_t pid() const { return measured_pid_; }

  // Stops the broker (as the destructor would) and describes how it exited,
  // e.g. "exit 0" or "killed by signal 9 after 30 s".
  std::string stop();

 private:
  std::string log_tail() const;

  BrokerLaunch launch_;
  pid_t pid_ = -1;           // the child the bench started
  pid_t measured_pid_ = -1;  // pid_, or the pid= its ready line names
  int stdout_fd_ = -1;       // kept open so a late write to stdout cannot SIGPIPE it
  int port_ = 0;
  std::string ready_line_;
};

}  // namespace sluice::bench
