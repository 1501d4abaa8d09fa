#include "broker_process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace sluice::testing {

BrokerProcess::BrokerProcess(std::vector<std::string> flags) : flags_(std::move(flags)) {
  char tmpl[] = "/tmp/sluice-it-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  data_dir_ = tmpl;
  start();
}

BrokerProcess::~BrokerProcess() {
  stop();
  std::error_code ec;
  std::filesystem::remove_all(data_dir_, ec);
}

void BrokerProcess::start() {
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> args = {SLUICE_BIN,   "broker",
                                   "--data-dir", data_dir_.string(),
                                   "--listen",   "127.0.0.1:" + std::to_string(port_)};
  args.insert(args.end(), flags_.begin(), flags_.end());
  std::string log_path = (data_dir_ / "broker.log").string();
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    FILE* log = fopen(log_path.c_str(), "a");
    if (log) dup2(fileno(log), STDERR_FILENO);
    close(out[0]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  // The broker prints "sluice broker listening on 127.0.0.1:PORT ..." once it serves.
  FILE* f = fdopen(out[0], "r");
  char line[512] = {0};
  bool ready = f && fgets(line, sizeof line, f);
  if (f) fclose(f);
  const char* at = ready ? std::strstr(line, "127.0.0.1:") : nullptr;
  if (!at) {
    stop();
    throw std::runtime_error("broker did not start; see " + log_path);
  }
  port_ = std::atoi(at + std::strlen("127.0.0.1:"));
}

void BrokerProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void BrokerProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

}  // namespace sluice::testing
