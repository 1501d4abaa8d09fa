// Runs the broker under test as a child process, exactly as an operator would:
// `sluice broker --data-dir D --listen 127.0.0.1:0 --flush F ...`. The benchmark only
// talks to it over loopback TCP, so the figures include the real network stack.
#pragma once

#include <sys/types.h>

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
  pid_t pid() const { return pid_; }

  // Stops the broker (as the destructor would) and describes how it exited,
  // e.g. "exit 0" or "killed by signal 9 after 30 s".
  std::string stop();

 private:
  std::string log_tail() const;

  BrokerLaunch launch_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;  // kept open so a late write to stdout cannot SIGPIPE it
  int port_ = 0;
  std::string ready_line_;
};

}  // namespace sluice::bench
