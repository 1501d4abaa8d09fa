// Operator controls for running stages, spoken over each process's admin HTTP
// endpoint: `sluice pause|resume [STAGE]`, `sluice status`, and
// `sluice breaker status|open|close NAME`, each with --admin HOST:PORT.
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "cli/support/commands.h"
#include "cli/up/process_table.h"

namespace sluice::cli {
namespace {

struct ControlFlags {
  std::string admin = std::getenv("SLUICE_ADMIN") ? std::getenv("SLUICE_ADMIN") : "127.0.0.1:9464";
  std::string data_dir;  // a `sluice up` data dir: reach its stage processes instead of --admin
  std::string name;
};

// Sends one request to one endpoint; prints the body; exit 0 on 2xx.
int call_one(const ControlFlags& f, const std::string& admin, const std::string& method,
             const std::string& path) {
  auto colon = admin.rfind(':');
  if (colon == std::string::npos)
    throw std::invalid_argument("--admin '" + admin + "' must be HOST:PORT");
  httplib::Client client(admin.substr(0, colon), std::stoi(admin.substr(colon + 1)));
  client.set_connection_timeout(5);
  client.set_read_timeout(30);
  auto res = method == "GET" ? client.Get(path) : client.Post(path, f.name, "text/plain");
  if (!res) {
    std::fprintf(
        stderr,
        "sluice: cannot reach the stage's admin endpoint at %s (%s) — is `sluice run` running "
        "there? pass its address with --admin\n",
        admin.c_str(), httplib::to_string(res.error()).c_str());
    return 2;
  }
  std::fputs(res->body.c_str(), res->status < 300 ? stdout : stderr);
  return res->status < 300 ? 0 : 1;
}

// With --data-dir: every stage process of `sluice up` (only those of the named
// stage when a stage name is given); otherwise the one --admin endpoint.
int call(const ControlFlags& f, const std::string& method, const std::string& path) {
  if (f.data_dir.empty()) return call_one(f, f.admin, method, path);
  int worst = 0, reached = 0;
  for (const auto& e : read_process_table(f.data_dir)) {
    if (e.stage.empty() ||
        (!f.name.empty() && path.find("breaker") == std::string::npos && e.stage != f.name))
      continue;
    std::printf("%s (%s): ", e.name.c_str(), e.admin.c_str());
    worst = std::max(worst, call_one(f, e.admin, method, path));
    reached += 1;
  }
  if (reached == 0)
    std::fprintf(stderr, "sluice: no process of stage '%s' in %s\n", f.name.c_str(),
                 f.data_dir.c_str());
  return reached == 0 ? 1 : worst;
}

CLI::App* with_admin(CLI::App* cmd, ControlFlags& f) {
  cmd->add_option("--admin", f.admin, "Admin HOST:PORT of the stage process (env SLUICE_ADMIN)")
      ->capture_default_str();
  cmd->add_option("--data-dir", f.data_dir,
                  "Reach the stage processes of `sluice up --data-dir DIR` instead");
  return cmd;
}

}  // namespace

std::vector<Run> add_stage_control_commands(CLI::App& app, std::vector<CLI::App*>& registered) {
  auto f = std::make_shared<ControlFlags>();
  std::vector<Run> runs;
  auto add = [&](CLI::App* cmd, std::string method, std::string path, bool takes_name,
                 const char* name_help) {
    if (takes_name) cmd->add_option("name", f->name, name_help);
    with_admin(cmd, *f);
    registered.push_back(cmd);
    runs.push_back([f, method, path] { return call(*f, method, path); });
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
  return runs;
}

}  // namespace sluice::cli
