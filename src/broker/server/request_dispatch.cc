#include "broker/server/request_dispatch.h"

#include "broker/handlers/handlers.h"
#include "broker/security/sasl_gate.h"
#include "common/log.h"

namespace sluice::broker {
namespace {

constexpr int16_t kProduceKey = 0;
constexpr int16_t kFetchKey = 1;
constexpr int16_t kApiVersionsKey = 18;

// Response header v0 is the correlation id; v1 (flexible APIs other than
// ApiVersions) adds an empty tagged-field section.
DispatchResult respond(const protocol::RequestHeader& h, bool flexible, Bytes body) {
  DispatchResult out;
  out.kind = DispatchResult::Kind::kRespond;
  const bool tagged = flexible && h.api_key != kApiVersionsKey;
  ResponseFrame& f = out.response;
  f.head_len = tagged ? 9 : 8;
  store_be32(f.head.data(), uint32_t(f.head_len - 4 + body.size()));
  store_be32(f.head.data() + 4, uint32_t(h.correlation_id));
  f.head[8] = 0;
  f.body = std::move(body);
  return out;
}

DispatchResult closed() {
  return DispatchResult{};
}

DispatchResult answer(const protocol::RequestHeader& h, bool flexible, std::optional<Bytes> body) {
  if (!body) return DispatchResult{.kind = DispatchResult::Kind::kNoResponse, .response = {}};
  return respond(h, flexible, std::move(*body));
}

// The header fields an answer needs, without the client id (a view of the frame).
protocol::RequestHeader answer_header(const protocol::RequestHeader& h) {
  return {h.api_key, h.api_version, h.correlation_id, std::nullopt};
}

DispatchResult run_produce(BrokerContext& ctx, const protocol::Request& req) {
  handlers::ProduceWritten written = handlers::produce_write(ctx, req);
  if (written.ready) return answer(req.header, req.flexible, written.commit());
  DispatchResult pending;
  pending.kind = DispatchResult::Kind::kCommitPending;
  pending.commit = [commit = std::move(written.commit), h = answer_header(req.header),
                    flexible = req.flexible, peer = req.peer]() -> DispatchResult {
    try {
      return answer(h, flexible, commit());
    } catch (const std::exception& e) {
      log::error("broker", "closing connection from {}: produce commit failed: {}", peer, e.what());
      return closed();
    }
  };
  return pending;
}

DispatchResult run_handler(BrokerContext& ctx, const handlers::ApiSpec& api,
                           const protocol::Request& req, bool may_wait) {
  if (api.key == kFetchKey) {
    handlers::FetchPass pass = handlers::fetch_pass(ctx, req, may_wait);
    if (!pass.response) {
      DispatchResult wait;
      wait.kind = DispatchResult::Kind::kWaitForData;
      wait.max_wait_ms = pass.max_wait_ms;
      wait.min_bytes = pass.min_bytes;
      return wait;
    }
    return respond(req.header, req.flexible, std::move(*pass.response));
  }
  if (api.key == kProduceKey) return run_produce(ctx, req);
  return answer(req.header, req.flexible, api.handle(ctx, req));
}

DispatchResult dispatch_parsed(BrokerContext& ctx, Session& session, std::span<uint8_t> frame,
                               bool may_wait) {
  protocol::Request req = protocol::parse_request(frame, handlers::is_flexible);
  req.peer = session.peer;
  req.session = &session;
  const std::string& peer = session.peer;
  const auto& h = req.header;
  const handlers::ApiSpec* api = handlers::find_api(h.api_key);
  if (!api) {
    ctx.requests.failed(h.api_key);
    log::warn("broker", "closing connection from {}: unknown API key {} (client {})", peer,
              h.api_key, h.client_id.value_or("?"));
    return closed();
  }
  if (h.api_version < 0 || h.api_version > api->max_version) {
    ctx.requests.failed(h.api_key);
    if (h.api_key == kApiVersionsKey)
      return respond(h, false, handlers::api_versions_unsupported());
    log::warn("broker", "closing connection from {}: {} v{} is not supported (0-{} are)", peer,
              api->name, h.api_version, api->max_version);
    return closed();
  }
  return run_handler(ctx, *api, req, may_wait);
}

}  // namespace

int16_t frame_api_key(std::span<const uint8_t> frame) {
  return frame.size() >= 2 ? int16_t(load_be16(frame.data())) : int16_t(-1);
}

DispatchResult dispatch_request(BrokerContext& ctx, Session& session, std::span<uint8_t> frame,
                                bool may_wait) {
  const int16_t api_key = frame_api_key(frame);
  try {
    security::GateVerdict gate = security::screen_frame(ctx, session, frame);
    if (gate.action == security::GateVerdict::Action::kClose) return closed();
    if (gate.action == security::GateVerdict::Action::kReplyRaw) {
      // A legacy (v0 handshake) SASL token: the answer is raw bytes, no response header.
      DispatchResult raw{.kind = DispatchResult::Kind::kRespond, .response = {}};
      raw.response.body = std::move(gate.raw_reply);
      return raw;
    }
    return dispatch_parsed(ctx, session, frame, may_wait);
  } catch (const DecodeError& e) {
    ctx.requests.failed(api_key);
    log::warn("broker", "closing connection from {}: malformed request (api {} v{}): {}",
              session.peer, api_key, frame.size() >= 4 ? int16_t(load_be16(frame.data() + 2)) : -1,
              e.what());
  } catch (const std::exception& e) {
    ctx.requests.failed(api_key);
    log::error("broker", "closing connection from {}: request failed: {}", session.peer, e.what());
  }
  return closed();
}

}  // namespace sluice::broker
