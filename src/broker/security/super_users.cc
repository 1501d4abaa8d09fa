#include "broker/security/super_users.h"

#include <algorithm>
#include <stdexcept>

#include "broker/security/sasl_authenticator.h"

namespace sluice::broker::security {

std::set<std::string> parse_super_users(const std::string& list) {
  std::set<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = std::min(list.find(';', start), list.size());
    std::string entry = list.substr(start, end - start);
    entry.erase(0, entry.find_first_not_of(' '));
    entry.erase(entry.find_last_not_of(' ') + 1);
    size_t colon = entry.find(':');
    if (!entry.empty()) {
      if (colon == std::string::npos || colon == 0 || colon + 1 == entry.size()) {
        throw std::invalid_argument("super user '" + entry +
                                    "' must be a principal like User:alice (separate with ';')");
      }
      out.insert(entry);
    }
    start = end + 1;
  }
  return out;
}

bool is_super_user(const BrokerOptions& options, const Session& session) {
  return session.authenticated && options.super_users.count(session.principal) > 0;
}

bool may_manage_credentials(const BrokerOptions& options, const Session& session) {
  return !uses_sasl(session) || is_super_user(options, session);
}

}  // namespace sluice::broker::security
