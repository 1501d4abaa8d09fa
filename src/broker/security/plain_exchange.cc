#include "broker/security/plain_exchange.h"

namespace sluice::broker::security {
namespace {

constexpr std::string_view kInvalid = "Authentication failed: Invalid username or password";

}  // namespace

bool password_matches(const ScramCredentialStore& store, const std::string& user,
                      std::string_view password) {
  auto creds = store.of_user(user);
  if (creds.empty()) {
    // Same work as for a real user, against nothing.
    (void)salted_password(ScramMechanism::kSha256, password, "unknown-user", kMinScramIterations);
    return false;
  }
  const auto& [mechanism, credential] = *creds.begin();
  std::string salted = salted_password(mechanism, password, credential.salt, credential.iterations);
  return constant_time_equal(keys_from_salted_password(mechanism, salted).stored_key,
                             credential.stored_key);
}

SaslStep PlainExchange::step(std::string_view token) {
  if (used_) return SaslStep::fail("", "PLAIN takes a single token");
  used_ = true;
  size_t first = token.find('\0');
  size_t second = first == std::string_view::npos ? first : token.find('\0', first + 1);
  if (second == std::string_view::npos) {
    return SaslStep::fail("", "Invalid SASL/PLAIN request: expected authzid NUL user NUL password");
  }
  std::string authzid(token.substr(0, first));
  std::string user(token.substr(first + 1, second - first - 1));
  std::string_view password = token.substr(second + 1);
  if (user.empty() || password.empty()) {
    return SaslStep::fail(user, "Authentication failed: username and password must not be empty");
  }
  if (!authzid.empty() && authzid != user) {
    return SaslStep::fail(user, "Authentication failed: authorization id must equal the username");
  }
  if (!password_matches(store_, user, password)) return SaslStep::fail(user, std::string(kInvalid));
  return {SaslStep::Status::kDone, {}, {}, user};
}

}  // namespace sluice::broker::security
