// One SASL mechanism's server side, as a state machine fed the client's tokens
// in order. Kafka carries the tokens in SaslAuthenticate requests (or raw after
// a v0 SaslHandshake); the mechanism knows nothing of either framing.
//
// Invariant: once a step returns kDone or kFailed, the exchange is over; the
// caller discards the mechanism. A failure never says whether the user exists.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace sluice::broker::security {

struct SaslStep {
  enum class Status { kContinue, kDone, kFailed };
  Status status = Status::kFailed;
  std::string response;  // the server's token for the client (may be empty)
  std::string error;     // kFailed: the message the client is shown (never a secret)
  std::string user;      // the user authenticated (kDone) or claimed (kFailed), for logs

  static SaslStep fail(std::string user, std::string error) {
    return {Status::kFailed, {}, std::move(error), std::move(user)};
  }
};

class SaslMechanismServer {
 public:
  virtual ~SaslMechanismServer() = default;
  virtual SaslStep step(std::string_view client_token) = 0;
};

}  // namespace sluice::broker::security
