// Operator controls for running stages, spoken over each process's admin HTTP
// endpoint: `sluice pause|resume [STAGE]`, `sluice status`, and
// `sluice breaker status|open|close NAME` and `sluice degradation status|set
// LEVEL [STAGE]|auto [STAGE]`, each with --admin HOST:PORT or
// --data-dir DIR (every stage process of a `sluice up`; without either flag, a
// data dir set by SLUICE_DATA_DIR or the profile is used, else ./sluice-data when a
// `sluice up` runs there, else the one --admin default). status, pause and resume print a table of
// the stages' state for people, or one JSON array with --json. Commands are POSTed as JSON with
// the admin token (admin_token.h): --admin-token-file, SLUICE_ADMIN_TOKEN(_FILE), else the
// `sluice up` data dir's admin-token file.
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "cli/support/admin_token.h"
#include "cli/support/commands.h"
#include "cli/support/profile.h"
#include "cli/support/stage_status.h"
#include "cli/support/table.h"
#include "cli/up/degradation_view.h"
#include "cli/up/process_table.h"
#include "common/json.h"

namespace sluice::cli {
namespace {

struct ControlFlags {
  std::string admin = std::getenv("SLUICE_ADMIN") ? std::getenv("SLUICE_ADMIN") : "127.0.0.1:9464";
  std::string data_dir;  // a `sluice up` data dir: reach its stage processes instead of --admin
  std::string admin_token_file;
  std::string token;  // resolved once per command, before the first request
  std::string name;
  std::string level;  // degradation set LEVEL
  bool json = false;
};

// How a route's answers are shown.
enum class Answers { kStages, kText, kDegradation };

// One process to ask: its name in the process table ("" for a bare --admin) and address.
struct Target {
  std::string process;
  std::string admin;
};

// What one process answered, with each stage's state when the route answers /status JSON.
struct Answer {
  Target target;
  std::vector<StageState> stages;
};

// Sends one request to one endpoint. Returns the exit code (0 on 2xx) and the body; failures
// are explained on stderr.
int call_one(const ControlFlags& f, const std::string& admin, const std::string& method,
             const std::string& path, std::string& body) {
  auto colon = admin.rfind(':');
  if (colon == std::string::npos)
    throw std::invalid_argument("--admin '" + admin + "' must be HOST:PORT");
  httplib::Client client(admin.substr(0, colon), std::stoi(admin.substr(colon + 1)));
  client.set_connection_timeout(5);
  client.set_read_timeout(30);
  httplib::Headers headers;
  if (!f.token.empty()) headers.emplace("Authorization", "Bearer " + f.token);
  json::JsonWriter w;
  w.begin_object();
  if (!f.name.empty()) w.field("name", f.name);
  if (!f.level.empty()) w.field("level", f.level);
  const std::string command = w.end_object().str();
  auto res = method == "GET" ? client.Get(path, headers)
                             : client.Post(path, headers, command, "application/json");
  if (!res) {
    std::fprintf(
        stderr,
        "sluice: cannot reach the stage's admin endpoint at %s (%s) — is `sluice run` running "
        "there? pass its address with --admin\n",
        admin.c_str(), httplib::to_string(res.error()).c_str());
    return 2;
  }
  if (res->status >= 300) {
    std::fputs(res->body.c_str(), stderr);
    return 1;
  }
  body = res->body;
  return 0;
}

// With a data dir: every stage process of `sluice up` (only those of the named stage when a
// stage name is given and the route is about stages); otherwise the one --admin endpoint.
std::vector<Target> targets(const ControlFlags& f, const std::string& data_dir, bool by_stage) {
  if (data_dir.empty()) return {{"", f.admin}};
  std::vector<Target> out;
  for (const auto& e : read_process_table(data_dir)) {
    if (e.stage.empty() || (by_stage && !f.name.empty() && e.stage != f.name)) continue;
    out.push_back({e.name, e.admin});
  }
  if (out.empty())
    throw std::invalid_argument("no process of stage '" + f.name + "' in " + data_dir +
                                "/processes.json; see `sluice ps`");
  return out;
}

void print_stages(const std::vector<Answer>& answers, bool as_json) {
  if (as_json) {
    json::JsonWriter w;
    w.begin_array();
    for (const auto& a : answers) {
      for (const auto& s : a.stages) {
        w.begin_object().key("process");
        a.target.process.empty() ? w.null() : w.value(a.target.process);
        w.field("admin", a.target.admin).field("stage", s.stage).field("paused", s.paused);
        w.field("assigned_partitions", s.assigned_partitions).field("buffered", s.buffered);
        w.field("in_flight", s.in_flight).field("processed", s.processed);
        w.field("dead_lettered", s.dead_lettered).key("stalled");
        s.stalled.empty() ? w.null() : w.value(s.stalled);
        w.end_object();
      }
    }
    std::printf("%s\n", w.end_array().str().c_str());
    return;
  }
  Table t({"PROCESS", "STAGE", "STATE", "PARTITIONS", "BUFFERED", "IN-FLIGHT", "PROCESSED",
           "DEAD-LETTERED"});
  for (const auto& a : answers) {
    for (const auto& s : a.stages) {
      t.add({a.target.process.empty() ? a.target.admin : a.target.process, s.stage,
             s.paused ? "paused" : (s.stalled.empty() ? "running" : "stalled"),
             std::to_string(s.assigned_partitions), std::to_string(s.buffered),
             std::to_string(s.in_flight), std::to_string(s.processed),
             std::to_string(s.dead_lettered)});
    }
  }
  t.print();
  for (const auto& a : answers) {
    for (const auto& s : a.stages) {
      if (!s.stalled.empty())
        std::printf("stage %s is stalled: %s\n", s.stage.c_str(), s.stalled.c_str());
    }
  }
}

// The data dir to reach: --data-dir, else (when --admin was not chosen either, by flag or
// SLUICE_ADMIN) Defaults::up_data_dir(), else none (use --admin).
std::string chosen_data_dir(const ControlFlags& f, const CLI::Option* admin_flag) {
  if (!f.data_dir.empty()) return f.data_dir;
  if (admin_flag->count() > 0 || std::getenv("SLUICE_ADMIN")) return "";
  return defaults().up_data_dir().value_or("");
}

// The token a command sends: from the flag or the environment, else from the data dir it talks
// to — or, with --admin, the local `sluice up` data dir's (the address is most likely one of its
// stages; a process that needs no token ignores it).
std::string command_token(const ControlFlags& f, const CLI::Option* admin_flag) {
  std::string data_dir = chosen_data_dir(f, admin_flag);
  if (data_dir.empty() && f.data_dir.empty()) data_dir = defaults().up_data_dir().value_or("");
  return client_admin_token(f.admin_token_file, data_dir);
}

// status, pause, resume: each process answers its stages' state as JSON.
int call_stages(const ControlFlags& f, const CLI::Option* admin_flag, const std::string& method,
                const std::string& path) {
  std::vector<Answer> answers;
  int worst = 0;
  for (const Target& t : targets(f, chosen_data_dir(f, admin_flag), true)) {
    std::string body;
    const int code = call_one(f, t.admin, method, path, body);
    worst = std::max(worst, code);
    if (code == 0) answers.push_back({t, parse_status(body)});
  }
  print_stages(answers, f.json);
  return worst;
}

// breaker status|open|close: each process answers in text, printed as it came.
int call_text(const ControlFlags& f, const CLI::Option* admin_flag, const std::string& method,
              const std::string& path) {
  const std::string data_dir = chosen_data_dir(f, admin_flag);
  int worst = 0;
  for (const Target& t : targets(f, data_dir, false)) {
    if (!data_dir.empty()) std::printf("%s (%s): ", t.process.c_str(), t.admin.c_str());
    std::string body;
    const int code = call_one(f, t.admin, method, path, body);
    worst = std::max(worst, code);
    std::fputs(body.c_str(), stdout);
  }
  return worst;
}

// degradation status|set|auto: each process answers its stages' levels as JSON.
int call_degradation(const ControlFlags& f, const CLI::Option* admin_flag,
                     const std::string& method, const std::string& path) {
  std::vector<DegradationRow> rows;
  int worst = 0;
  for (const Target& t : targets(f, chosen_data_dir(f, admin_flag), true)) {
    std::string body;
    const int code = call_one(f, t.admin, method, path, body);
    worst = std::max(worst, code);
    if (code == 0) parse_degradation(body, t.process, t.admin, rows);
  }
  print_degradation(rows, f.json);
  return worst;
}

CLI::Option* with_admin(CLI::App* cmd, ControlFlags& f) {
  cmd->add_option(
      "--data-dir", f.data_dir,
      "Reach the stage processes of `sluice up --data-dir DIR` instead (default: env "
      "SLUICE_DATA_DIR, the profile's `data_dir:`, or ./sluice-data where `sluice up` runs; "
      "when --admin is not given)");
  cmd->add_option("--admin-token-file", f.admin_token_file,
                  "File holding the admin token (default: env SLUICE_ADMIN_TOKEN_FILE or "
                  "SLUICE_ADMIN_TOKEN, else the admin-token file of the `sluice up` data dir)")
      ->check(CLI::ExistingFile);
  return cmd
      ->add_option("--admin", f.admin, "Admin HOST:PORT of the stage process (env SLUICE_ADMIN)")
      ->capture_default_str();
}

}  // namespace

std::vector<Run> add_stage_control_commands(CLI::App& app, std::vector<CLI::App*>& registered) {
  auto f = std::make_shared<ControlFlags>();
  std::vector<Run> runs;
  auto add = [&](CLI::App* cmd, std::string method, std::string path, bool takes_name,
                 const char* name_help) {
    if (takes_name) cmd->add_option("name", f->name, name_help);
    const CLI::Option* admin_flag = with_admin(cmd, *f);
    registered.push_back(cmd);
    const Answers answers = path.find("breaker") != std::string::npos       ? Answers::kText
                            : path.find("degradation") != std::string::npos ? Answers::kDegradation
                                                                            : Answers::kStages;
    if (answers == Answers::kStages)
      cmd->add_flag("--json", f->json,
                    "One JSON array: per stage its process, admin, paused, assigned_partitions, "
                    "buffered, in_flight, processed, dead_lettered");
    if (answers == Answers::kDegradation)
      cmd->add_flag("--json", f->json,
                    "One JSON array: per stage its process, admin, level, mode (auto|manual), "
                    "lag, memory_bytes, since_ms, parked, parked_topic");
    runs.push_back([f, method, path, admin_flag, answers] {
      if (method != "GET") f->token = command_token(*f, admin_flag);
      switch (answers) {
        case Answers::kText:
          return call_text(*f, admin_flag, method, path);
        case Answers::kDegradation:
          return call_degradation(*f, admin_flag, method, path);
        case Answers::kStages:
          break;
      }
      return call_stages(*f, admin_flag, method, path);
    });
  };
  add(app.add_subcommand("pause",
                         "Stop a stage consuming (in-flight work finishes; nothing is lost)"),
      "POST", "/pause", true, "Stage name (default: every stage of the process)");
  add(app.add_subcommand("resume", "Resume a paused stage"), "POST", "/resume", true,
      "Stage name (default: all)");
  add(app.add_subcommand(
          "status",
          "Show the stages of a process: assignment, buffered, in flight, processed, DLQ"),
      "GET", "/status", false, "");
  CLI::App* breaker = app.add_subcommand("breaker", "Inspect or override circuit breakers");
  breaker->require_subcommand(1);
  add(breaker->add_subcommand("status", "Show every breaker's state"), "GET", "/breakers", false,
      "");
  add(breaker->add_subcommand("open", "Force a breaker open (pauses the stage) until closed"),
      "POST", "/breakers/open", true, "Breaker name");
  add(breaker->add_subcommand("close", "Close a breaker (clears a forced open)"), "POST",
      "/breakers/close", true, "Breaker name");
  CLI::App* degradation = app.add_subcommand(
      "degradation", "Show or override stages' degradation levels (docs/degradation.md)");
  degradation->require_subcommand(1);
  add(degradation->add_subcommand("status", "Each stage's level, why, and what it parked"), "GET",
      "/degradation", false, "");
  CLI::App* set = degradation->add_subcommand(
      "set", "Pin a level (NORMAL, SOFT, GRACEFUL, AGGRESSIVE, CIRCUIT_BREAK) until `auto`");
  set->add_option("level", f->level, "The level to hold")->required();
  add(set, "POST", "/degradation/set", true, "Stage name (default: every stage of the process)");
  add(degradation->add_subcommand("auto", "Hand the level back to the lag and memory rules"),
      "POST", "/degradation/auto", true, "Stage name (default: every stage of the process)");
  return runs;
}

}  // namespace sluice::cli
