#include "broker/handlers/handlers.h"
#include "broker/protocol/messages/sasl.h"
#include "broker/security/sasl_authenticator.h"

namespace sluice::broker::handlers {

// v0 means the tokens that follow come raw, without SaslAuthenticate (sasl_gate.h).
std::optional<Bytes> sasl_handshake(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::SaslHandshakeRequest>(
      req, [&](const protocol::SaslHandshakeRequest& in) {
        protocol::SaslHandshakeResponse resp;
        resp.error_code = protocol::code(
            security::begin_sasl(ctx, *req.session, in.mechanism, req.header.api_version == 0));
        resp.mechanisms = ctx.options.sasl_enabled_mechanisms;
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
