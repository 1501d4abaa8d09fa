// The client side of SASL PLAIN and SCRAM-SHA-256/512 (RFC 5802), for
// KafkaWireConnection. SCRAM checks the server's signature, so a broker that
// does not hold the user's keys cannot pretend the login succeeded.
#pragma once

#include <optional>
#include <string>

#include "broker/security/scram.h"

namespace sluice::cli {

class SaslClient {
 public:
  // Throws std::runtime_error for a mechanism other than PLAIN and SCRAM-SHA-*.
  SaslClient(const std::string& mechanism, std::string user, std::string password);

  std::string first_message();
  // The next token to send, or nullopt when the exchange is complete. Throws
  // when the server's answer is malformed or its signature is wrong.
  std::optional<std::string> next_message(const std::string& server_message);

 private:
  std::optional<broker::security::ScramMechanism> scram_;  // empty: PLAIN
  std::string user_;
  std::string password_;
  std::string client_nonce_;
  std::string client_first_bare_;
  std::string expected_server_signature_;
  int round_ = 0;
};

}  // namespace sluice::cli
