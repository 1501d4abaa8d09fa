// Operator controls for running stages, spoken over each process's admin HTTP
// endpoint: `sluice pause|resume [STAGE]`, `sluice status`, and
// `sluice breaker status|open|close NAME`, each with --admin HOST:PORT.
#include <httplib.h>

#include <cstdio>
#include <cstdlib>

#include "cli/commands.h"

namespace sluice::cli {
namespace {

struct ControlFlags {
  std::string admin = std::getenv("SLUICE_ADMIN") ? std::getenv("SLUICE_ADMIN") : "127.0.0.1:9464";
  std::string name;
};

// Sends one request; prints the body; exit 0 on 2xx.
int call(const ControlFlags& f, const std::string& method, const std::string& path) {
  auto colon = f.admin.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("--admin '" + f.admin + "' must be HOST:PORT");
  httplib::Client client(f.admin.substr(0, colon), std::stoi(f.admin.substr(colon + 1)));
  client.set_connection_timeout(5);
  client.set_read_timeout(30);
  auto res = method == "GET" ? client.Get(path) : client.Post(path, f.name, "text/plain");
  if (!res) {
    std::fprintf(stderr, "sluice: cannot reach the stage's admin endpoint at %s (%s) — is `sluice run` running "
                 "there? pass its address with --admin\n", f.admin.c_str(), httplib::to_string(res.error()).c_str());
    return 2;
  }
  std::fputs(res->body.c_str(), res->status < 300 ? stdout : stderr);
  return res->status < 300 ? 0 : 1;
}

CLI::App* with_admin(CLI::App* cmd, ControlFlags& f) {
  cmd->add_option("--admin", f.admin, "Admin HOST:PORT of the stage process (env SLUICE_ADMIN)")->capture_default_str();
  return cmd;
}

}  // namespace

std::vector<Run> add_stage_control_commands(CLI::App& app, std::vector<CLI::App*>& registered) {
  auto f = std::make_shared<ControlFlags>();
  std::vector<Run> runs;
  auto add = [&](CLI::App* cmd, std::string method, std::string path, bool takes_name, const char* name_help) {
    if (takes_name) cmd->add_option("name", f->name, name_help);
    with_admin(cmd, *f);
    registered.push_back(cmd);
    runs.push_back([f, method, path] { return call(*f, method, path); });
  };
  add(app.add_subcommand("pause", "Stop a stage consuming (in-flight work finishes; nothing is lost)"), "POST", "/pause",
      true, "Stage name (default: every stage of the process)");
  add(app.add_subcommand("resume", "Resume a paused stage"), "POST", "/resume", true, "Stage name (default: all)");
  add(app.add_subcommand("status", "Show the stages of a process: assignment, buffered, in flight, processed, DLQ"),
      "GET", "/status", false, "");
  CLI::App* breaker = app.add_subcommand("breaker", "Inspect or override circuit breakers");
  breaker->require_subcommand(1);
  add(breaker->add_subcommand("status", "Show every breaker's state"), "GET", "/breakers", false, "");
  add(breaker->add_subcommand("open", "Force a breaker open (pauses the stage) until closed"), "POST",
      "/breakers/open", true, "Breaker name");
  add(breaker->add_subcommand("close", "Close a breaker (clears a forced open)"), "POST", "/breakers/close", true,
      "Breaker name");
  return runs;
}

}  // namespace sluice::cli
