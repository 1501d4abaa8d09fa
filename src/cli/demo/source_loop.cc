#include "cli/demo/source_loop.h"

#include <pthread.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace sluice::cli::demo {

StopSignals::StopSignals() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  waiter_ = std::thread([this] {
    int sig = 0;
    sigwait(&set_, &sig);
    stop = true;
  });
}

StopSignals::~StopSignals() {
  if (!stop) pthread_kill(waiter_.native_handle(), SIGTERM);  // wake the waiter
  waiter_.join();
}

Manifest::Manifest(const std::string& path) {
  if (path.empty()) return;
  file_ = std::fopen(path.c_str(), "a");
  if (!file_) {
    throw std::runtime_error("cannot open --manifest " + path +
                             " for appending: " + std::strerror(errno));
  }
}

Manifest::~Manifest() {
  if (file_) std::fclose(file_);
}

void Manifest::append(const std::string& line) {
  if (file_) std::fprintf(file_, "%s\n", line.c_str());
}

void Manifest::flush() {
  if (file_) std::fflush(file_);
}

}  // namespace sluice::cli::demo
