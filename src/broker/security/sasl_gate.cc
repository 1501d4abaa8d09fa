#include "broker/security/sasl_gate.h"

#include "broker/security/sasl_authenticator.h"
#include "common/log.h"

namespace sluice::broker::security {
namespace {

constexpr int16_t kSaslHandshake = 17;
constexpr int16_t kApiVersions = 18;
constexpr int16_t kSaslAuthenticate = 36;

GateVerdict close() {
  return {GateVerdict::Action::kClose, {}};
}

// A raw v0 token: the answer goes back size-prefixed; a failure closes the
// connection, the only way the legacy framing has to say no.
GateVerdict run_raw_token(BrokerContext& ctx, Session& session, std::span<const uint8_t> frame) {
  std::string_view token(reinterpret_cast<const char*>(frame.data()), frame.size());
  SaslAnswer answer = continue_sasl(ctx, session, token);
  if (answer.error != protocol::ErrorCode::kNone) return close();
  if (session.authenticated) sasl_state_of(session)->raw_tokens = false;
  GateVerdict v{GateVerdict::Action::kReplyRaw, {}};
  v.raw_reply.resize(4);
  store_be32(v.raw_reply.data(), uint32_t(answer.response.size()));
  v.raw_reply.insert(v.raw_reply.end(), answer.response.begin(), answer.response.end());
  return v;
}

}  // namespace

bool allowed_before_authentication(int16_t api_key) {
  return api_key == kApiVersions || api_key == kSaslHandshake || api_key == kSaslAuthenticate;
}

GateVerdict screen_frame(BrokerContext& ctx, Session& session, std::span<const uint8_t> frame) {
  if (!uses_sasl(session) || session.authenticated) return {};
  SaslState* state = sasl_state_of(session);
  if (state && state->failed) {
    log::warn("broker", "closing connection from {}: its SASL authentication failed", session.peer);
    return close();
  }
  if (state && state->raw_tokens) return run_raw_token(ctx, session, frame);
  int16_t api_key = int16_t(load_be16(frame.data()));
  if (allowed_before_authentication(api_key)) return {};
  log::warn("broker",
            "closing connection from {}: API key {} before SASL authentication on a {} listener",
            session.peer, api_key, session.security_protocol);
  return close();
}

}  // namespace sluice::broker::security
