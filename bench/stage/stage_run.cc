// fork/exec with stdout on a pipe: the first line names the admin port
// ("... admin on http://127.0.0.1:PORT"), which is then used for /status and
// /metrics. The clock starts before fork, so process start, group join and
// the first fetch are included, as they are in the bare loop's figure.
#include "stage_run.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "http_get.h"
#include "watermarks.h"

namespace sluice::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStallTimeout = std::chrono::seconds(60);

// Reads the child's first stdout line (up to 30 s); "" if it exits or stays silent.
std::string first_line(int fd) {
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  std::string buffer;
  while (buffer.find('\n') == std::string::npos && Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char chunk[256];
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) return "";
    buffer.append(chunk, static_cast<size_t>(n));
  }
  return buffer.substr(0, buffer.find('\n'));
}

std::string processing_lines(const std::string& metrics) {
  std::istringstream in(metrics);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("kafka_processing_duration_seconds_sum") ||
        line.starts_with("kafka_processing_duration_seconds_count")) {
      out += line + "\n";
    }
  }
  return out;
}

std::string stop(pid_t pid) {
  ::kill(pid, SIGTERM);
  int status = 0;
  for (int i = 0; i < 300; ++i) {  // 30 s
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                               : "signal " + std::to_string(WTERMSIG(status));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return "killed (did not stop within 30 s of SIGTERM)";
}

}  // namespace

StageResult run_passthrough_stage(const StageSetup& s) {
  const auto yaml = (s.workdir / "pipeline.yaml").string();
  std::ofstream(yaml) << "pipeline: bench\nbootstrap: " << s.bootstrap
                      << "\nstages:\n  - name: copy\n    input: " << s.input << "\n    outputs: ["
                      << s.output << "]\n    processor: passthrough\n";
  const auto log = (s.workdir / "stage.log").string();
  Watermarks out(s.bootstrap, s.output, s.partitions);  // created up front, as for the bare loop

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  std::vector<std::string> args = {s.sluice_bin, "run", yaml, "--admin", "127.0.0.1:0"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  StageResult r;
  const auto start = Clock::now();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) ::dup2(fd, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  ::close(pipe_fds[1]);
  const std::string line = first_line(pipe_fds[0]);
  const auto at = line.find("http://");
  const auto colon = at == std::string::npos ? at : line.find(':', at + 7);
  const int port = colon == std::string::npos ? 0 : std::atoi(line.c_str() + colon + 1);
  if (port <= 0) {
    r.exit = stop(pid);
    ::close(pipe_fds[0]);
    throw std::runtime_error("sluice run printed no admin line (" + r.exit + "); see " + log);
  }
  r.admin_url = line.substr(at);

  int64_t done = 0;
  auto last_progress = Clock::now();
  while (done < s.count) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const int64_t now_done = out.records();
    if (now_done > done) last_progress = Clock::now();
    if (done == 0 && now_done > 0) {
      r.ready_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    }
    if (r.status_midway.empty() && now_done >= s.count / 2)
      r.status_midway = http_get(port, "/status");
    done = now_done;
    if (Clock::now() - last_progress > kStallTimeout) {
      r.exit = stop(pid);
      ::close(pipe_fds[0]);
      throw std::runtime_error("the stage copied " + std::to_string(done) + " of " +
                               std::to_string(s.count) +
                               " records and then nothing for 60 s; see " + log);
    }
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.processing_metrics = processing_lines(http_get(port, "/metrics"));
  r.exit = stop(pid);
  ::close(pipe_fds[0]);
  return r;
}

}  // namespace sluice::bench
