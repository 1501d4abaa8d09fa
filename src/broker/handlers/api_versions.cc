#include "broker/protocol/messages/api_versions.h"

#include "broker/handlers/handlers.h"
#include "broker/protocol/errors.h"

namespace sluice::broker::handlers {
namespace {

protocol::ApiVersionsResponse supported_list() {
  protocol::ApiVersionsResponse resp;
  for (const ApiSpec& api : supported_apis())
    resp.api_keys.push_back({api.key, 0, api.max_version});
  return resp;
}

}  // namespace

std::optional<Bytes> api_versions(BrokerContext&, const protocol::Request& req) {
  return protocol::serve<protocol::ApiVersionsRequest>(
      req, [](const protocol::ApiVersionsRequest&) { return std::optional(supported_list()); });
}

Bytes api_versions_unsupported() {
  auto resp = supported_list();
  resp.error_code = protocol::code(protocol::ErrorCode::kUnsupportedVersion);
  Bytes body;
  ByteWriter w(body);
  protocol::Encoder e(w, 0, false);
  e.write_message(resp);
  return body;
}

}  // namespace sluice::broker::handlers
