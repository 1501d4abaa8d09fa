// What `sluice ps`, `restart`, `stop` and `start` ask of a process listed in
// DATA/processes.json: is its pid alive, and does its admin endpoint say ready.
#pragma once

#include <sys/types.h>

#include <string>

#include "cli/up/process_table.h"

namespace sluice::cli {

// False for a pid that exited, even if its parent has not reaped it yet (a zombie).
bool process_alive(pid_t pid);
// "ready" when GET /readyz on its admin address answers 200, "not ready" for
// another answer, "unreachable" for none, "-" for a process without one.
std::string readiness(const ProcessEntry& e);

}  // namespace sluice::cli
