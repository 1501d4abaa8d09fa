// ApiVersions: the table of served APIs. From v5 a client that knows which
// cluster and node it meant to reach says so (KIP-1242); when either is not
// this broker's, DNS or a proxy sent the connection to the wrong place and the
// answer is REBOOTSTRAP_REQUIRED, which makes the client start again from its
// bootstrap servers.
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

std::optional<Bytes> api_versions(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::ApiVersionsRequest>(
      req, [&](const protocol::ApiVersionsRequest& in) {
        if (in.cluster_id &&
            (*in.cluster_id != ctx.options.cluster_id || in.node_id != ctx.options.node_id)) {
          protocol::ApiVersionsResponse misrouted;
          misrouted.error_code = protocol::code(protocol::ErrorCode::kRebootstrapRequired);
          return std::optional(misrouted);
        }
        return std::optional(supported_list());
      });
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
