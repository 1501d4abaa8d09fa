#include "cli/support/admin_endpoints.h"

#include <httplib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "pipeline/config_text.h"

namespace sluice::cli {
namespace {

constexpr const char* kDefaultAdmin = "127.0.0.1:9464";

void split_into(const std::string& list, std::vector<std::string>& out) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    std::string item = list.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
}

}  // namespace

void add_admin_option(CLI::App* cmd, std::vector<std::string>& admins) {
  cmd->add_option("--admin", admins,
                  "Admin HOST:PORT of a stage process; repeat (or comma-separate) for each "
                  "(env SLUICE_ADMIN; default " +
                      std::string(kDefaultAdmin) + ")")
      ->take_all()
      ->expected(1);
}

std::vector<AdminEndpoint> admin_endpoints(const std::vector<std::string>& flags) {
  std::vector<std::string> items;
  for (const auto& f : flags) split_into(f, items);
  const char* env = std::getenv("SLUICE_ADMIN");
  if (items.empty() && env) split_into(env, items);
  if (items.empty()) items.push_back(kDefaultAdmin);
  std::vector<AdminEndpoint> out;
  for (const auto& item : items) {
    if (std::string problem = pipeline::host_port_problem(item, 1); !problem.empty()) {
      throw std::invalid_argument("--admin '" + item + "': " + problem +
                                  " (expected HOST:PORT of a `sluice run` admin endpoint)");
    }
    const size_t colon = item.rfind(':');
    AdminEndpoint e{item.substr(0, colon), std::stoi(item.substr(colon + 1))};
    const bool seen = std::any_of(out.begin(), out.end(),
                                  [&](const auto& o) { return o.address() == e.address(); });
    if (!seen) out.push_back(std::move(e));
  }
  return out;
}

HttpAnswer http_get(const AdminEndpoint& endpoint, const std::string& path, int timeout_ms) {
  httplib::Client client(endpoint.host, endpoint.port);
  client.set_connection_timeout(std::chrono::milliseconds(timeout_ms));
  client.set_read_timeout(std::chrono::milliseconds(timeout_ms));
  HttpAnswer answer;
  auto res = client.Get(path);
  if (!res) {
    answer.error = "cannot reach " + endpoint.address() + " (" + httplib::to_string(res.error()) +
                   " error) — is `sluice run` running there?";
    return answer;
  }
  answer.reachable = true;
  answer.status = res->status;
  answer.body = res->body;
  return answer;
}

}  // namespace sluice::cli
