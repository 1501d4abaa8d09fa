#include "cli/up/process_probe.h"

#include <httplib.h>
#include <signal.h>

#include <fstream>

namespace sluice::cli {

bool process_alive(pid_t pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  auto paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] != 'Z';
}

std::string readiness(const ProcessEntry& e) {
  auto colon = e.admin.rfind(':');
  if (e.stage.empty() || colon == std::string::npos) return "-";
  httplib::Client client(e.admin.substr(0, colon), std::stoi(e.admin.substr(colon + 1)));
  client.set_connection_timeout(1);
  auto res = client.Get("/readyz");
  return !res ? "unreachable" : res->status == 200 ? "ready" : "not ready";
}

}  // namespace sluice::cli
