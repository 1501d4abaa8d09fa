// `sluice users ...` against a running broker (ours or Apache Kafka), through
// DescribeUserScramCredentials and AlterUserScramCredentials (KIP-554). The
// password is salted here (Hi with a random salt); only the salted password
// travels, as Kafka's own tools do. On a SASL listener the caller must be a
// super user; the connection's own login comes from ClientSecurity.
#pragma once

#include "cli/users/credential_admin.h"
#include "cli/users/kafka_wire_connection.h"

namespace sluice::cli {

class OnlineCredentials final : public CredentialAdmin {
 public:
  OnlineCredentials(const std::string& bootstrap, int timeout_ms, const ClientSecurity& security)
      : conn_(bootstrap, timeout_ms, security) {}
  std::vector<UserCredentials> list() override;
  void upsert(const std::string& user, ScramMechanism m, int32_t iterations,
              const std::string& password) override;
  void remove(const std::string& user, ScramMechanism m) override;

 private:
  KafkaWireConnection conn_;
};

// How `sluice users` logs in to a SASL listener: the login every client of this
// process uses (environment, else profile; src/kafka/client_security.h).
ClientSecurity current_client_security();

}  // namespace sluice::cli
