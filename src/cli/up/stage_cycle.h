// `sluice restart|stop|start STAGE --data-dir DATA`: one stage of a running
// `sluice up`, by name, each waiting until the change has happened (or
// --timeout passed) so a script or runbook step can go on at once:
//
//   restart  SIGTERM to each process of the stage (it finishes in-flight work
//            and commits); the supervisor starts a new one at the same admin
//            port; done when every new process answers /readyz with 200.
//   stop     lists the stage in DATA/control/stopped-stages.json
//            (stopped_stages.h); done when the supervisor has stopped every
//            process of it. It stays stopped — not restarted, shown as
//            "stopped" by `sluice ps` — so its group can be reset
//            (`sluice groups reset-offsets`), until `start`.
//   start    removes it from that file; done when every process is ready.
//
// Exit status 0 when done, 1 when the stage is unknown or the wait timed out
// (the message says what was still missing and where to look).
#pragma once

#include <string>

namespace sluice::cli {

struct StageCycleRequest {
  std::string data_dir;
  std::string stage;
  int timeout_s = 120;
};

int restart_stage(const StageCycleRequest& r);
int stop_stage(const StageCycleRequest& r);
int start_stage(const StageCycleRequest& r);

}  // namespace sluice::cli
