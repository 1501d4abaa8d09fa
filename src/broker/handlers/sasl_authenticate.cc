#include "broker/handlers/handlers.h"
#include "broker/protocol/messages/sasl.h"
#include "broker/security/sasl_authenticator.h"

namespace sluice::broker::handlers {

std::optional<Bytes> sasl_authenticate(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::SaslAuthenticateRequest>(
      req, [&](const protocol::SaslAuthenticateRequest& in) {
        const auto& token = in.auth_bytes.data;
        security::SaslAnswer answer = security::continue_sasl(
            ctx, *req.session, {reinterpret_cast<const char*>(token.data()), token.size()});
        protocol::SaslAuthenticateResponse resp;
        resp.error_code = protocol::code(answer.error);
        if (answer.error != protocol::ErrorCode::kNone) resp.error_message = answer.message;
        resp.auth_bytes.data.assign(answer.response.begin(), answer.response.end());
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
