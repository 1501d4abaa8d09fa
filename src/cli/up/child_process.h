// One child process of `sluice up`: started with its own arguments and
// environment, in its own process group (so the terminal's Ctrl-C reaches only
// the supervisor, which then stops children in order: source, stages, broker),
// and killed by the kernel if the supervisor dies (PR_SET_PDEATHSIG).
//
// Its first stdout line is its ready line (the broker's "listening on ...",
// a stage's "admin on http://..."); everything it prints after that, and its
// stderr, goes to its log file. With Spec::json_log_lines both streams pass
// through the supervisor (json_log_lines.h), so every line of the file is a
// JSON object; otherwise stderr is the file itself. (Through the supervisor,
// a child that outlives it — it gets SIGTERM then — may lose its last lines.)
#pragma once

#include <sys/types.h>

#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sluice::cli {

class ChildProcess {
 public:
  struct Spec {
    std::string name;  // "broker", "download#2", ... for messages
    std::vector<std::string> argv;
    std::vector<std::pair<std::string, std::string>> env;  // added to the supervisor's environment
    std::string log_path;
    std::string program;          // the file executed; empty: argv[0]
    bool json_log_lines = false;  // wrap lines that are not JSON log objects
    std::string stage;            // for wrapped lines; empty for the broker and the source
  };

  explicit ChildProcess(Spec spec) : spec_(std::move(spec)) {}
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts the process and returns its first stdout line. Throws
  // std::runtime_error with the end of its log if it exits or stays silent
  // for `timeout_ms`.
  std::string start(int timeout_ms);
  // False once the process has exited (it is reaped then; exit_description() says how).
  bool running();
  void signal(int sig);
  // Sends SIGTERM, waits up to timeout_ms, then SIGKILL. Returns how it ended.
  std::string stop(int timeout_ms);

  const Spec& spec() const { return spec_; }
  const std::string& exit_description() const { return exit_; }
  std::string log_tail(int lines) const;
  pid_t pid() const { return pid_; }

 private:
  Spec spec_;
  pid_t pid_ = -1;
  std::string exit_;
  std::thread drain_;
};

}  // namespace sluice::cli
