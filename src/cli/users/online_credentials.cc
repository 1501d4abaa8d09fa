#include "cli/users/online_credentials.h"

#include <cstdlib>
#include <stdexcept>

#include "broker/protocol/messages/scram_credentials.h"
#include "kafka/client_security.h"

namespace sluice::cli {
namespace {

namespace protocol = broker::protocol;

void throw_if_refused(int16_t error_code, const protocol::NullableString& message,
                      const std::string& what) {
  if (error_code == 0) return;
  std::string reason = message.value_or("error code " + std::to_string(error_code));
  if (error_code == 31) reason += " (log in as a super user: the broker's --super-users)";
  throw std::runtime_error(what + " failed: " + reason);
}

protocol::AlterUserScramCredentialsResponse alter(KafkaWireConnection& conn,
                                                  protocol::AlterUserScramCredentialsRequest& req,
                                                  const std::string& what) {
  auto resp = conn.call<protocol::AlterUserScramCredentialsResponse>(0, true, req);
  for (const auto& r : resp.results) throw_if_refused(r.error_code, r.error_message, what);
  return resp;
}

}  // namespace

std::vector<UserCredentials> OnlineCredentials::list() {
  protocol::DescribeUserScramCredentialsRequest req;  // null users: everyone
  auto resp = conn_.call<protocol::DescribeUserScramCredentialsResponse>(0, true, req);
  throw_if_refused(resp.error_code, resp.error_message, "listing SCRAM users");
  std::vector<UserCredentials> out;
  for (const auto& r : resp.results) {
    throw_if_refused(r.error_code, r.error_message, "describing user '" + r.user + "'");
    UserCredentials u{r.user, {}};
    for (const auto& info : r.credential_infos) {
      if (auto m = broker::security::scram_mechanism_from_code(info.mechanism)) {
        u.iterations[*m] = info.iterations;
      }
    }
    out.push_back(std::move(u));
  }
  return out;
}

void OnlineCredentials::upsert(const std::string& user, ScramMechanism m, int32_t iterations,
                               const std::string& password) {
  std::string salt = broker::security::random_bytes(32);
  std::string salted = broker::security::salted_password(m, password, salt, iterations);
  protocol::AlterUserScramCredentialsRequest req;
  auto& u = req.upsertions.emplace_back();
  u.name = user;
  u.mechanism = int8_t(m);
  u.iterations = iterations;
  u.salt.data.assign(salt.begin(), salt.end());
  u.salted_password.data.assign(salted.begin(), salted.end());
  alter(conn_, req, "setting the credential of user '" + user + "'");
}

void OnlineCredentials::remove(const std::string& user, ScramMechanism m) {
  protocol::AlterUserScramCredentialsRequest req;
  req.deletions.push_back({user, int8_t(m)});
  alter(conn_, req, "deleting the credential of user '" + user + "'");
}

ClientSecurity current_client_security() {
  ClientSecurity s;
  for (const auto& [key, value] : kafka::client_security_settings()) {
    if (key == "security.protocol") s.protocol = value;
    if (key == "sasl.mechanisms") s.mechanism = value;
    if (key == "sasl.username") s.username = value;
    if (key == "sasl.password") s.password = value;
  }
  return s;
}

}  // namespace sluice::cli
