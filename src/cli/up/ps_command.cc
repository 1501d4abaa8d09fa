// `sluice ps [--data-dir DATA] [--watch]`, `sluice down`, and `sluice
// restart|stop|start STAGE` (stage_cycle.h): the runbook's "check all workers
// running", "watch recovery" and "restart workers" for a pipeline run by
// `sluice up`, read from its process table.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

#include "cli/support/commands.h"
#include "cli/support/data_dir_flag.h"
#include "cli/support/table.h"
#include "cli/up/process_probe.h"
#include "cli/up/process_table.h"
#include "cli/up/stage_cycle.h"
#include "common/clock.h"
#include "common/json.h"

namespace sluice::cli {
namespace {

struct PsFlags {
  std::string data_dir;  // add_data_dir_option() sets the default
  bool watch = false;
  bool json = false;  // ps: one JSON array instead of the table
  int interval_s = 2;
  std::string stage;
  int timeout_s = 180;        // `down`
  int stage_timeout_s = 120;  // `restart`, `stop`, `start`
};

std::string uptime(int64_t started_ms) {
  int64_t s = std::max<int64_t>(0, (now_ms() - started_ms) / 1000);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lldh%02lldm%02llds", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return buf;
}

// One process as ps shows it; dead ones have no pid, readiness or uptime.
struct ProcessRow {
  const ProcessEntry& entry;
  bool up;
  std::string state;  // "running", "stopped" (by `sluice stop`) or "DEAD"
  std::string ready;
};

void print_ps_json(const std::vector<ProcessRow>& rows) {
  json::JsonWriter w;
  w.begin_array();
  for (const auto& [e, up, state, ready] : rows) {
    w.begin_object().field("name", e.name).field("stage", e.stage).key("pid");
    up ? w.value(int64_t(e.pid)) : w.null();
    w.field("state", state == "DEAD" ? "dead" : state).field("ready", ready).key("uptime_s");
    up ? w.value(std::max<int64_t>(0, (now_ms() - e.started_ms) / 1000)) : w.null();
    w.field("restarts", int64_t(e.restarts)).field("admin", e.admin);
    w.field("metrics", e.metrics).end_object();
  }
  std::printf("%s\n", w.end_array().str().c_str());
}

int ps_once(const PsFlags& f) {
  const std::vector<ProcessEntry> entries = read_process_table(f.data_dir);
  std::vector<ProcessRow> rows;
  int dead = 0;
  for (const auto& e : entries) {
    const bool up = process_alive(e.pid);
    // Stopped on purpose (`sluice stop`) is not dead, once it is down.
    const std::string state = up ? "running" : e.stopped ? "stopped" : "DEAD";
    dead += state == "DEAD" ? 1 : 0;
    rows.push_back({e, up, state, up ? readiness(e) : "-"});
  }
  if (f.json) {
    print_ps_json(rows);
    return dead == 0 ? 0 : 1;
  }
  Table t({"NAME", "STAGE", "PID", "STATE", "READY", "UPTIME", "RESTARTS", "ADMIN"});
  for (const auto& [e, up, state, ready] : rows) {
    t.add({e.name, e.stage.empty() ? "-" : e.stage, up ? std::to_string(e.pid) : "-", state, ready,
           up ? uptime(e.started_ms) : "-", std::to_string(e.restarts),
           e.admin.empty() ? "-" : e.admin});
  }
  t.print();
  return dead == 0 ? 0 : 1;
}

int ps(const PsFlags& f) {
  if (!f.watch) return ps_once(f);
  for (;;) {
    std::printf("\033[H\033[J");  // clear the screen, as watch(1) does
    ps_once(f);
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::seconds(f.interval_s));
  }
}

// Stops a `sluice up` the way Ctrl-C does (source, drain, stages, broker) and
// waits for it, so scripts can run `sluice down` and then look at the summary's files.
int down(const PsFlags& f) {
  pid_t supervisor = -1;
  for (const auto& e : read_process_table(f.data_dir)) {
    if (e.name == "supervisor") supervisor = e.pid;
  }
  if (!process_alive(supervisor)) {
    std::fprintf(stderr, "sluice: no running `sluice up` for %s\n", f.data_dir.c_str());
    return 1;
  }
  ::kill(supervisor, SIGTERM);
  std::printf("stopping sluice up (pid %d): source, drain, stages, broker ...\n", int(supervisor));
  std::fflush(stdout);
  const int64_t deadline = mono_ms() + int64_t(f.timeout_s) * 1000;
  while (process_alive(supervisor) && mono_ms() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  if (process_alive(supervisor)) {
    std::fprintf(stderr,
                 "sluice: still stopping after %d s (draining?); `sluice ps` shows what runs\n",
                 f.timeout_s);
    return 1;
  }
  std::printf("stopped\n");
  return 0;
}

StageCycleRequest cycle(const PsFlags& f) {
  return {f.data_dir, f.stage, f.stage_timeout_s};
}

}  // namespace

std::vector<Run> add_process_commands(CLI::App& app, std::vector<CLI::App*>& registered) {
  auto f = std::make_shared<PsFlags>();
  CLI::App* p = app.add_subcommand(
      "ps", "Every process of `sluice up`: running or dead, ready, uptime, restarts");
  add_data_dir_option(p, f->data_dir, "The --data-dir of `sluice up`");
  p->add_flag("--watch", f->watch, "Refresh every --interval seconds (Ctrl-C to leave)");
  p->add_flag("--json", f->json,
              "A JSON array: name, stage, pid, state, ready, uptime_s, restarts, admin");
  p->add_option("--interval", f->interval_s, "Seconds between refreshes with --watch")
      ->capture_default_str();
  auto stage_command = [&](const char* name, const char* help) {
    CLI::App* c = app.add_subcommand(name, help);
    c->add_option("stage", f->stage, "Stage name")->required();
    add_data_dir_option(c, f->data_dir, "The --data-dir of `sluice up`");
    c->add_option("--timeout", f->stage_timeout_s, "Seconds to wait for it to happen")
        ->capture_default_str();
    return c;
  };
  CLI::App* r = stage_command(
      "restart",
      "Restart every process of a stage run by `sluice up` (graceful); wait until ready");
  CLI::App* stop = stage_command(
      "stop", "Stop every process of a stage under `sluice up` and keep it down until `start`");
  CLI::App* start =
      stage_command("start", "Start a stage stopped with `sluice stop`; wait until ready");
  CLI::App* d =
      app.add_subcommand("down", "Stop a `sluice up` cleanly (as Ctrl-C would) and wait for it");
  add_data_dir_option(d, f->data_dir, "The --data-dir of `sluice up`");
  d->add_option("--timeout", f->timeout_s, "Seconds to wait")->capture_default_str();
  registered.push_back(p);
  registered.push_back(r);
  registered.push_back(d);
  registered.push_back(stop);
  registered.push_back(start);
  return {[f] { return ps(*f); }, [f] { return restart_stage(cycle(*f)); },
          [f] { return down(*f); }, [f] { return stop_stage(cycle(*f)); },
          [f] { return start_stage(cycle(*f)); }};
}

}  // namespace sluice::cli
