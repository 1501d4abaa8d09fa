#include "cli/up/stage_cycle.h"

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <thread>

#include "cli/up/process_probe.h"
#include "cli/up/process_table.h"
#include "cli/up/stopped_stages.h"
#include "common/clock.h"

namespace sluice::cli {
namespace {

std::vector<ProcessEntry> stage_processes(const StageCycleRequest& r) {
  std::vector<ProcessEntry> out;
  for (auto& e : read_process_table(r.data_dir)) {
    if (e.stage == r.stage) out.push_back(std::move(e));
  }
  return out;
}

bool supervisor_running(const std::string& data_dir) {
  for (const auto& e : read_process_table(data_dir)) {
    if (e.name == "supervisor") return process_alive(e.pid);
  }
  return false;
}

// Exit status 1 with the reason when the stage has no process in the table.
int unknown_stage(const StageCycleRequest& r) {
  std::fprintf(stderr,
               "sluice: no process of stage '%s' in %s/processes.json; `sluice ps --data-dir %s` "
               "lists the stages\n",
               r.stage.c_str(), r.data_dir.c_str(), r.data_dir.c_str());
  return 1;
}

// Polls the process table until `done` holds for every process of the stage
// (the table is rewritten each second); prints `what` on success, or on timeout
// the first process that did not get there and `what_missing` about it.
int wait_for(const StageCycleRequest& r, const std::string& what,
             const std::function<std::string(const ProcessEntry&)>& missing) {
  const int64_t deadline = mono_ms() + int64_t(r.timeout_s) * 1000;
  std::string last;
  for (;;) {
    last.clear();
    for (const auto& e : stage_processes(r)) {
      if (std::string m = missing(e); !m.empty()) {
        last = e.name + " " + m;
        break;
      }
    }
    if (last.empty()) {
      std::printf("%s\n", what.c_str());
      return 0;
    }
    if (mono_ms() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  std::fprintf(stderr,
               "sluice: timed out after %d s: %s; `sluice ps --data-dir %s` shows the processes, "
               "their logs are in %s/logs\n",
               r.timeout_s, last.c_str(), r.data_dir.c_str(), r.data_dir.c_str());
  return 1;
}

// "" once the process runs and answers /readyz with 200.
std::string not_ready(const ProcessEntry& e) {
  if (e.stopped) return "is still stopped";
  if (!process_alive(e.pid)) return "is not running yet";
  const std::string ready = readiness(e);
  return ready == "ready" ? "" : "is " + ready;
}

}  // namespace

int restart_stage(const StageCycleRequest& r) {
  std::map<std::string, pid_t> old_pids;
  for (const auto& e : stage_processes(r)) {
    if (e.stopped) {
      std::fprintf(stderr,
                   "sluice: stage '%s' is stopped; `sluice start %s --data-dir %s` starts it\n",
                   r.stage.c_str(), r.stage.c_str(), r.data_dir.c_str());
      return 1;
    }
    if (!process_alive(e.pid)) continue;
    ::kill(e.pid, SIGTERM);  // it finishes in-flight work and commits; `sluice up` starts it again
    std::printf("restarting %s (pid %d)\n", e.name.c_str(), int(e.pid));
    std::fflush(stdout);
    old_pids[e.name] = e.pid;
  }
  if (old_pids.empty()) {
    std::fprintf(stderr,
                 "sluice: no running process of stage '%s' in %s/processes.json; see `sluice ps`\n",
                 r.stage.c_str(), r.data_dir.c_str());
    return 1;
  }
  return wait_for(r, "stage " + r.stage + " restarted and ready", [&](const ProcessEntry& e) {
    auto old = old_pids.find(e.name);
    if (old != old_pids.end() && e.pid == old->second) return std::string("has not stopped yet");
    return not_ready(e);
  });
}

int stop_stage(const StageCycleRequest& r) {
  if (stage_processes(r).empty()) return unknown_stage(r);
  if (!set_stage_stopped(r.data_dir, r.stage, true)) {
    std::printf("stage %s was already stopped\n", r.stage.c_str());
  }
  if (!supervisor_running(r.data_dir)) {
    std::printf("`sluice up` is not running for %s: stage %s stays stopped when it starts\n",
                r.data_dir.c_str(), r.stage.c_str());
    return 0;
  }
  return wait_for(r,
                  "stage " + r.stage + " stopped; it stays down until `sluice start " + r.stage +
                      " --data-dir " + r.data_dir + "`",
                  [](const ProcessEntry& e) {
                    if (!e.stopped) return std::string("has not been told to stop yet");
                    return process_alive(e.pid) ? std::string("is still stopping") : std::string();
                  });
}

int start_stage(const StageCycleRequest& r) {
  if (stage_processes(r).empty()) return unknown_stage(r);
  if (!set_stage_stopped(r.data_dir, r.stage, false)) {
    std::printf("stage %s was not stopped\n", r.stage.c_str());
  }
  if (!supervisor_running(r.data_dir)) {
    std::printf("`sluice up` is not running for %s: stage %s starts with it\n", r.data_dir.c_str(),
                r.stage.c_str());
    return 0;
  }
  return wait_for(r, "stage " + r.stage + " started and ready", not_ready);
}

}  // namespace sluice::cli
