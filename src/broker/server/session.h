// What the broker knows about one client connection beyond its bytes: where it
// came from, which listener took it, and who is on the other end once SASL (or a
// TLS client certificate) has said so. The connection owns it for its whole life;
// handlers see it through protocol::Request::session and may change it only
// while their request runs (requests of one connection never run concurrently).
#pragma once

#include <memory>
#include <string>

namespace sluice::broker {

struct Session {
  std::string peer;                             // "ip:port", for log lines
  std::string host;                             // the peer's IP alone, for ACLs and quotas
  std::string listener = "PLAINTEXT";           // the listener's name
  std::string security_protocol = "PLAINTEXT";  // PLAINTEXT | SASL_PLAINTEXT | SSL | SASL_SSL
  std::string principal = "User:ANONYMOUS";     // Kafka's principal form, "User:NAME"
  bool authenticated = false;  // SASL finished, or a verified client certificate (mTLS)
  // State a SASL mechanism keeps between SaslAuthenticate rounds (SCRAM's two
  // messages); the security code defines what it holds.
  std::shared_ptr<void> sasl_state;
  std::string sasl_mechanism;  // chosen by SaslHandshake
};

}  // namespace sluice::broker
