#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/messages/groups.h"

namespace sluice::broker::handlers {

std::optional<Bytes> heartbeat(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::HeartbeatRequest>(
      req, [&](const protocol::HeartbeatRequest& in) {
        if (!authorized(ctx, req, acl::Operation::kRead, acl::Resource::group(in.group_id)))
          return refused<protocol::ErrorOnlyResponse>(acl::ResourceType::kGroup);
        protocol::ErrorOnlyResponse resp;
        resp.error_code =
            ctx.groups.heartbeat(in.group_id, in.generation_id, in.member_id, in.group_instance_id);
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
