#include "cli/up/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <deque>
#include <fstream>
#include <stdexcept>

#include "cli/up/json_log_lines.h"
#include "common/clock.h"

namespace sluice::cli {
namespace {

std::string describe(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + strsignal(WTERMSIG(status));
  return "stopped";
}

// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_child(int stdout_fd, int stderr_fd, const char* program,
                             std::vector<char*>& argv, std::vector<char*>& envp) {
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  ::dup2(stdout_fd, STDOUT_FILENO);
  ::dup2(stderr_fd, STDERR_FILENO);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none,
                nullptr);  // the supervisor blocks SIGINT/SIGTERM; children must not
  ::execve(program, argv.data(), envp.data());
  ::_exit(127);
}

// Copies the child's output pipes into its log until both close: bytes as they
// come, or whole lines made JSON (json_log_lines.h) when `json` is set.
void drain_into_log(std::vector<int> fds, int log_fd, std::string rest, bool json,
                    std::string process, std::string stage) {
  JsonLogLines lines(log_fd, std::move(process), std::move(stage));
  auto put = [&](size_t stream, std::string_view bytes) {
    if (json) {
      lines.feed(int(stream), bytes);
    } else {
      (void)!::write(log_fd, bytes.data(), bytes.size());
    }
  };
  put(0, rest);
  std::vector<pollfd> polled;
  for (int fd : fds) polled.push_back({fd, POLLIN, 0});
  for (size_t open = polled.size(); open > 0;) {
    if (::poll(polled.data(), polled.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (size_t i = 0; i < polled.size(); ++i) {
      if (polled[i].fd < 0 || polled[i].revents == 0) continue;
      char buf[4096];
      const ssize_t n = ::read(polled[i].fd, buf, sizeof buf);
      if (n > 0) {
        put(i, std::string_view(buf, size_t(n)));
      } else if (n == 0 || errno != EINTR) {
        ::close(polled[i].fd);
        polled[i].fd = -1;  // poll ignores negative descriptors
        open -= 1;
      }
    }
  }
  lines.finish();
  ::close(log_fd);
}

}  // namespace

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && running()) stop(5000);
  if (drain_.joinable()) drain_.join();
}

std::string ChildProcess::start(int timeout_ms) {
  if (drain_.joinable()) drain_.join();
  int out[2], err[2] = {-1, -1};
  if (::pipe2(out, O_CLOEXEC) != 0 || (spec_.json_log_lines && ::pipe2(err, O_CLOEXEC) != 0))
    throw std::runtime_error("cannot create a pipe for " + spec_.name);
  int log_fd = ::open(spec_.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0)
    throw std::runtime_error("cannot open " + spec_.log_path + ": " + std::strerror(errno));
  const int child_stderr = spec_.json_log_lines ? err[1] : log_fd;
  std::vector<std::string> args = spec_.argv;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The supervisor's environment with this child's settings on top (built before fork).
  std::vector<std::string> vars;
  for (char** e = environ; *e; ++e) {
    std::string v = *e;
    bool replaced = false;
    for (const auto& [k, val] : spec_.env) replaced = replaced || v.rfind(k + "=", 0) == 0;
    if (!replaced) vars.push_back(std::move(v));
  }
  for (const auto& [k, v] : spec_.env) vars.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& v : vars) envp.push_back(v.data());
  envp.push_back(nullptr);
  const char* program = spec_.program.empty() ? argv[0] : spec_.program.c_str();
  pid_ = ::fork();
  if (pid_ == 0) exec_child(out[1], child_stderr, program, argv, envp);
  ::close(out[1]);
  if (err[1] >= 0) ::close(err[1]);
  if (pid_ < 0) {
    ::close(out[0]);
    if (err[0] >= 0) ::close(err[0]);
    ::close(log_fd);
    throw std::runtime_error("cannot fork " + spec_.name);
  }
  exit_.clear();
  // Read the ready line, then keep copying stdout into the log so the child never blocks on a full
  // pipe.
  std::string line;
  const int64_t deadline = mono_ms() + timeout_ms;
  bool eof = false;
  while (line.find('\n') == std::string::npos && !eof && mono_ms() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[512];
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) eof = true;
    if (n > 0) line.append(buf, size_t(n));
  }
  std::string rest = line.find('\n') == std::string::npos ? "" : line.substr(line.find('\n') + 1);
  line = line.substr(0, line.find('\n'));
  std::vector<int> fds = {out[0]};
  if (err[0] >= 0) fds.push_back(err[0]);
  drain_ = std::thread(drain_into_log, std::move(fds), log_fd, std::move(rest),
                       spec_.json_log_lines, spec_.name, spec_.stage);
  if (line.empty()) {
    std::string how =
        running() ? "printed nothing within " + std::to_string(timeout_ms) + " ms" : exit_;
    if (running()) stop(2000);
    drain_.join();  // the pipes closed with the process: its last words are in the log now
    throw std::runtime_error(spec_.name + " did not start (" + how + "); its log " +
                             spec_.log_path + " ends:\n" + log_tail(15));
  }
  return line;
}

bool ChildProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  exit_ = r == pid_ ? describe(status) : "lost (waitpid failed)";
  pid_ = -1;
  return false;
}

void ChildProcess::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

std::string ChildProcess::stop(int timeout_ms) {
  if (!running()) return exit_;
  signal(SIGTERM);
  const int64_t deadline = mono_ms() + timeout_ms;
  while (running() && mono_ms() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (running()) {
    signal(SIGKILL);
    while (running()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    exit_ +=
        " (after SIGKILL: it did not stop within " + std::to_string(timeout_ms) + " ms of SIGTERM)";
  }
  return exit_;
}

std::string ChildProcess::log_tail(int lines) const {
  std::ifstream in(spec_.log_path);
  std::deque<std::string> tail;
  for (std::string l; std::getline(in, l);) {
    tail.push_back(l);
    if (int(tail.size()) > lines) tail.pop_front();
  }
  std::string out;
  for (const auto& l : tail) out += "  " + l + "\n";
  return out;
}

}  // namespace sluice::cli
