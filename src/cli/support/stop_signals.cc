#include "cli/support/stop_signals.h"

#include <pthread.h>

#include "common/log.h"

namespace sluice::cli {

StopSignals::StopSignals() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
}

int StopSignals::wait(const char* component, const char* doing) {
  int sig = 0;
  sigwait(&set_, &sig);
  log::info(component, "received {}, {}", sig == SIGINT ? "SIGINT" : "SIGTERM", doing);
  return sig;
}

}  // namespace sluice::cli
