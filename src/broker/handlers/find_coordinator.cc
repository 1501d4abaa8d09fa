// A single node coordinates every group: the answer is always this broker.
// v0-v3 ask for one key; v4+ (KIP-699) for a batch, each key answered on its own.
// A key type other than group or transaction (v6's share groups) is
// INVALID_REQUEST with no node, Kafka's answer where no share coordinator runs.
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/errors.h"
#include "broker/protocol/messages/admin.h"

namespace sluice::broker::handlers {
namespace {

using protocol::FindCoordinatorResponse;

FindCoordinatorResponse::Coordinator coordinator_for(BrokerContext& ctx,
                                                     const protocol::Request& req, int8_t key_type,
                                                     const std::string& key) {
  FindCoordinatorResponse::Coordinator c;
  c.key = key;
  using Request = protocol::FindCoordinatorRequest;
  // key_type 0 names a group, 1 a transactional id: DESCRIBE on it, as Kafka asks.
  acl::Resource resource = key_type == Request::kTransaction ? acl::Resource::transactional_id(key)
                                                             : acl::Resource::group(key);
  const bool known = key_type == Request::kGroup || key_type == Request::kTransaction;
  if (!known || !authorized(ctx, req, acl::Operation::kDescribe, resource)) {
    c.error_code = known ? authorization_failed(resource.type)
                         : protocol::code(protocol::ErrorCode::kInvalidRequest);
    c.node_id = -1;  // Kafka's "no node" in an error answer
    c.port = -1;
    return c;
  }
  c.node_id = ctx.options.node_id;
  // The address advertised on the listener the client came in on.
  const ListenerConfig& l = ctx.options.listener(req.session ? req.session->listener : "");
  c.host = l.advertised_host;
  c.port = l.advertised_port;
  return c;
}

}  // namespace

std::optional<Bytes> find_coordinator(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::FindCoordinatorRequest>(
      req, [&](const protocol::FindCoordinatorRequest& in) {
        FindCoordinatorResponse resp;
        if (req.header.api_version >= 4) {
          for (const auto& key : in.coordinator_keys)
            resp.coordinators.push_back(coordinator_for(ctx, req, in.key_type, key));
          return std::optional(resp);
        }
        auto c = coordinator_for(ctx, req, in.key_type, in.key);
        resp.error_code = c.error_code;
        if (c.error_code == 0) {  // a refusal keeps node 0, port 0, as v0-v3 always answered
          resp.node_id = c.node_id;
          resp.host = std::move(c.host);
          resp.port = c.port;
        }
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
