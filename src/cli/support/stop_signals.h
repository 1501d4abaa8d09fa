// SIGINT and SIGTERM as an operator's request to stop a long-running command
// (broker, run, exporter, registry).
//
// Invariant: constructed before the command starts any thread, it blocks both
// signals in the constructing thread, which every later thread inherits, so only
// wait() ever receives them: a stop request can neither kill a thread midway nor
// be lost.
#pragma once

#include <signal.h>

namespace sluice::cli {

class StopSignals {
 public:
  StopSignals();
  // Blocks until SIGINT or SIGTERM arrives, then logs "received SIGTERM,
  // <doing>" under `component`. Returns the signal.
  int wait(const char* component, const char* doing = "shutting down");

 private:
  sigset_t set_;
};

}  // namespace sluice::cli
