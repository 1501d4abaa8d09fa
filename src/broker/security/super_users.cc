#include "broker/security/super_users.h"

#include <algorithm>
#include <stdexcept>

#include "broker/security/sasl_authenticator.h"

namespace sluice::broker::security {

std::vector<std::string> parse_super_users(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = std::min(list.find(';', start), list.size());
    std::string entry = list.substr(start, end - start);
    size_t colon = entry.find(':');
    if (!entry.empty()) {
      if (colon == std::string::npos || colon == 0 || colon + 1 == entry.size()) {
        throw std::invalid_argument("super user '" + entry +
                                    "' must be a principal like User:alice (separate with ';')");
      }
      out.push_back(entry);
    }
    start = end + 1;
  }
  return out;
}

bool is_super_user(const BrokerOptions& options, const Session& session) {
  return session.authenticated && std::find(options.super_users.begin(), options.super_users.end(),
                                            session.principal) != options.super_users.end();
}

bool may_manage_credentials(const BrokerOptions& options, const Session& session) {
  return !uses_sasl(session) || is_super_user(options, session);
}

}  // namespace sluice::broker::security
