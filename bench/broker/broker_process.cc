// fork/exec with the ready line read through a pipe: the broker prints
// "sluice broker listening on 127.0.0.1:PORT (...)" once it accepts connections,
// and --listen 127.0.0.1:0 lets it pick a free port, so runs never collide.
#include "broker_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace sluice::bench {
namespace {

// A launcher stops its broker gracefully first (kafka_dist.py: up to 30 s).
constexpr auto kStopTimeout = std::chrono::seconds(60);

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

}  // namespace

BrokerProcess::BrokerProcess(const BrokerLaunch& launch) : launch_(launch) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  std::vector<std::string> args = launch.command;
  if (args.empty()) {
    args = {launch.binary,
            "broker",
            "--data-dir",
            launch.data_dir.string(),
            "--listen",
            "127.0.0.1:0",
            "--flush",
            launch.flush,
            "--default-partitions",
            std::to_string(launch.default_partitions)};
    args.insert(args.end(), launch.extra_args.begin(), launch.extra_args.end());
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log_path = launch.log_file.string();

  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // Child: only async-signal-safe calls until exec. Dying with the bench keeps
    // a crashed or interrupted run from leaving a broker behind.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    ::dup2(out[1], STDOUT_FILENO);
    int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) ::dup2(log, STDERR_FILENO);
    ::execvp(argv[0], argv.data());
    _exit(127);
  }
  ::close(out[1]);
  stdout_fd_ = out[0];

  const auto deadline = std::chrono::steady_clock::now() + launch.start_timeout;
  std::string buffer;
  while (buffer.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{stdout_fd_, POLLIN, 0};
    int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    char chunk[256];
    ssize_t n = ready > 0 ? ::read(stdout_fd_, chunk, sizeof chunk) : 0;
    if (n <= 0) {
      std::string why = ready > 0 ? "exited before printing its ready line"
                                  : "printed no ready line within " +
                                        std::to_string(launch.start_timeout.count()) + " s";
      std::string tail = log_tail();
      stop();
      throw std::runtime_error("broker " + why + "; log " + log_path + ":\n" + tail);
    }
    buffer.append(chunk, static_cast<size_t>(n));
  }
  ready_line_ = buffer.substr(0, buffer.find('\n'));
  const std::string marker = "127.0.0.1:";
  auto at = ready_line_.find(marker);
  if (at != std::string::npos) port_ = std::atoi(ready_line_.c_str() + at + marker.size());
  if (port_ <= 0) {
    stop();
    throw std::runtime_error("cannot parse a port from the broker's ready line: " + ready_line_);
  }
  const auto named = ready_line_.find("pid=");
  measured_pid_ = named == std::string::npos ? pid_ : std::atoi(ready_line_.c_str() + named + 4);
}

BrokerProcess::~BrokerProcess() {
  stop();
}

std::string BrokerProcess::stop() {
  if (pid_ <= 0) return "not running";
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + kStopTimeout;
  int status = 0;
  std::string how;
  for (;;) {
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      how = describe_status(status);
      break;
    }
    if (done < 0 && errno != EINTR) {
      how = "lost (waitpid failed)";
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      how = describe_status(status) + " (did not stop within 60 s of SIGTERM)";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdout_fd_ = -1;
  return how;
}

std::string BrokerProcess::log_tail() const {
  std::ifstream in(launch_.log_file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::ostringstream out;
  size_t from = lines.size() > 20 ? lines.size() - 20 : 0;
  for (size_t i = from; i < lines.size(); ++i) out << "  " << lines[i] << '\n';
  return out.str();
}

}  // namespace sluice::bench
