// A single node coordinates every group: the answer is always this broker.
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/messages/admin.h"

namespace sluice::broker::handlers {

std::optional<Bytes> find_coordinator(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::FindCoordinatorRequest>(
      req, [&](const protocol::FindCoordinatorRequest& in) {
        protocol::FindCoordinatorResponse resp;
        // key_type 0 names a group, 1 a transactional id: DESCRIBE on it, as Kafka asks.
        acl::Resource key = in.key_type == 1 ? acl::Resource::transactional_id(in.key)
                                             : acl::Resource::group(in.key);
        if (!authorized(ctx, req, acl::Operation::kDescribe, key)) {
          resp.error_code = authorization_failed(key.type);
          return std::optional(resp);
        }
        resp.node_id = ctx.options.node_id;
        // The address advertised on the listener the client came in on.
        const ListenerConfig& l = ctx.options.listener(req.session ? req.session->listener : "");
        resp.host = l.advertised_host;
        resp.port = l.advertised_port;
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
