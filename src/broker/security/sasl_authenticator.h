// A connection's SASL life: SaslHandshake picks a mechanism (begin_sasl), the
// client's tokens run it (continue_sasl), and on success the Session names the
// principal. The state lives in Session::sasl_state, so handlers stay stateless.
//
// Invariants: a session authenticates at most once (no KIP-368 re-authentication
// yet); after a failed attempt the session is marked failed and sasl_gate.h
// closes the connection at its next frame, as Kafka does. Failures are logged
// with the peer and the claimed principal, never with a token or password.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "broker/broker_context.h"
#include "broker/protocol/errors.h"
#include "broker/security/sasl_mechanism.h"
#include "broker/server/session.h"

namespace sluice::broker::security {

struct SaslState {
  std::unique_ptr<SaslMechanismServer> mechanism;  // null once the exchange ended
  bool raw_tokens = false;  // SaslHandshake v0: tokens follow without Kafka framing
  bool failed = false;
};

// Null before SaslHandshake.
SaslState* sasl_state_of(Session& session);

bool uses_sasl(const Session& session);  // SASL_PLAINTEXT or SASL_SSL

// SaslHandshake: kNone, kUnsupportedSaslMechanism (not enabled on this broker),
// or kIllegalSaslState (not a SASL listener, or a handshake already happened).
protocol::ErrorCode begin_sasl(const BrokerContext& ctx, Session& session,
                               std::string_view mechanism, bool raw_tokens);

struct SaslAnswer {
  protocol::ErrorCode error = protocol::ErrorCode::kNone;
  std::string message;   // for the client when error is set
  std::string response;  // the server's token
};

// One client token: SaslAuthenticate's auth_bytes or a raw v0 token.
SaslAnswer continue_sasl(BrokerContext& ctx, Session& session, std::string_view token);

}  // namespace sluice::broker::security
