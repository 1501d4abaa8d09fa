// The stage processes an operator command looks at: their admin endpoints,
// from repeatable `--admin HOST:PORT` flags or env SLUICE_ADMIN (comma
// separated), and one bounded GET against each.
//
// Invariant: every endpoint returned by admin_endpoints() is a valid HOST:PORT
// (port 1..65535) and appears once, in the order given; a request never blocks
// longer than its timeouts, and an unreachable endpoint is a value
// (HttpAnswer::reachable false, with the reason), not an exception.
#pragma once

#include <string>
#include <vector>

// CLI11 is a large header-only library: headers name its App by declaration only;
// the .cc files that define commands include <CLI/CLI.hpp>.
namespace CLI {
class App;
}  // namespace CLI

namespace sluice::cli {

struct AdminEndpoint {
  std::string host;
  int port = 0;
  std::string address() const { return host + ":" + std::to_string(port); }
};

// Adds `--admin` (repeatable; each value may itself be a comma-separated list).
void add_admin_option(CLI::App* cmd, std::vector<std::string>& admins);

// The flags' endpoints, else SLUICE_ADMIN's, else 127.0.0.1:9464 (the default
// of `sluice run --admin`). Throws std::invalid_argument naming a malformed one.
std::vector<AdminEndpoint> admin_endpoints(const std::vector<std::string>& flags);

struct HttpAnswer {
  bool reachable = false;
  int status = 0;
  std::string body;
  std::string error;  // why it was not reachable
};

HttpAnswer http_get(const AdminEndpoint& endpoint, const std::string& path, int timeout_ms = 2000);

}  // namespace sluice::cli
