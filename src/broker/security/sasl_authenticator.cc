#include "broker/security/sasl_authenticator.h"

#include <algorithm>

#include "broker/security/plain_exchange.h"
#include "broker/security/scram_exchange.h"
#include "common/log.h"

namespace sluice::broker::security {
namespace {

std::unique_ptr<SaslMechanismServer> start_mechanism(const BrokerContext& ctx,
                                                     std::string_view name) {
  if (!ctx.credentials) return nullptr;
  if (name == "PLAIN") return std::make_unique<PlainExchange>(*ctx.credentials);
  if (auto scram = scram_mechanism_named(name)) {
    return std::make_unique<ScramExchange>(*scram, *ctx.credentials);
  }
  return nullptr;
}

SaslAnswer refuse(protocol::ErrorCode error, std::string message) {
  return {error, std::move(message), {}};
}

}  // namespace

SaslState* sasl_state_of(Session& session) {
  return static_cast<SaslState*>(session.sasl_state.get());
}

bool uses_sasl(const Session& session) {
  return session.security_protocol == "SASL_PLAINTEXT" || session.security_protocol == "SASL_SSL";
}

protocol::ErrorCode begin_sasl(const BrokerContext& ctx, Session& session,
                               std::string_view mechanism, bool raw_tokens) {
  if (!uses_sasl(session) || session.authenticated || session.sasl_state) {
    return protocol::ErrorCode::kIllegalSaslState;
  }
  const auto& enabled = ctx.options.sasl_enabled_mechanisms;
  if (std::find(enabled.begin(), enabled.end(), mechanism) == enabled.end()) {
    return protocol::ErrorCode::kUnsupportedSaslMechanism;
  }
  auto state = std::make_shared<SaslState>();
  state->mechanism = start_mechanism(ctx, mechanism);
  if (!state->mechanism) return protocol::ErrorCode::kUnsupportedSaslMechanism;
  state->raw_tokens = raw_tokens;
  session.sasl_mechanism = std::string(mechanism);
  session.sasl_state = std::move(state);
  return protocol::ErrorCode::kNone;
}

SaslAnswer continue_sasl(BrokerContext& ctx, Session& session, std::string_view token) {
  SaslState* state = sasl_state_of(session);
  if (!state || !state->mechanism) {
    return refuse(protocol::ErrorCode::kIllegalSaslState,
                  "SaslAuthenticate without a SaslHandshake choosing a mechanism first");
  }
  SaslStep step = state->mechanism->step(token);
  switch (step.status) {
    case SaslStep::Status::kContinue:
      return {protocol::ErrorCode::kNone, {}, std::move(step.response)};
    case SaslStep::Status::kDone:
      state->mechanism.reset();
      session.principal = "User:" + step.user;
      session.authenticated = true;
      ctx.authentications.record(session.sasl_mechanism, true);
      log::info("broker", "{} authenticated as {:?} with SASL {}", session.peer, session.principal,
                session.sasl_mechanism);
      return {protocol::ErrorCode::kNone, {}, std::move(step.response)};
    case SaslStep::Status::kFailed:
      break;
  }
  state->mechanism.reset();
  state->failed = true;
  ctx.authentications.record(session.sasl_mechanism, false);
  log::warn("broker", "SASL {} authentication failed for principal {:?} from {}: {}",
            session.sasl_mechanism, "User:" + step.user, session.peer, step.error);
  return refuse(protocol::ErrorCode::kSaslAuthenticationFailed, std::move(step.error));
}

}  // namespace sluice::broker::security
