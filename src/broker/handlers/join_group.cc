// JoinGroup: parks until the group's rebalance completes (see GroupCoordinator).
// v7+ answers the group's protocol type; v8+ carries the member's reason for
// joining (logged); v9's skip_assignment stays false, as only a KIP-848
// coordinator runs the assignment itself.
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/messages/groups.h"

namespace sluice::broker::handlers {

std::optional<Bytes> join_group(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::JoinGroupRequest>(
      req, [&](const protocol::JoinGroupRequest& in) {
        if (!authorized(ctx, req, acl::Operation::kRead, acl::Resource::group(in.group_id)))
          return refused<protocol::JoinGroupResponse>(acl::ResourceType::kGroup);
        JoinRequestArgs args;
        args.group_id = in.group_id;
        args.member_id = in.member_id;
        args.instance_id = in.group_instance_id;
        args.client_id = req.header.client_id.value_or("");
        args.client_host = "/" + req.peer.substr(0, req.peer.rfind(':'));
        args.protocol_type = in.protocol_type;
        for (const auto& p : in.protocols) args.protocols.emplace_back(p.name, p.metadata.data);
        args.session_timeout_ms = in.session_timeout_ms;
        args.rebalance_timeout_ms =
            in.rebalance_timeout_ms < 0 ? in.session_timeout_ms : in.rebalance_timeout_ms;
        args.reason = in.reason;
        JoinResult r = ctx.groups.join(args);
        protocol::JoinGroupResponse resp;
        resp.error_code = r.error;
        resp.generation_id = r.generation;
        if (r.error == 0) resp.protocol_type = r.protocol_type;
        resp.protocol_name = r.protocol_name;
        resp.leader = r.leader;
        resp.member_id = r.member_id;
        for (auto& [id, instance, metadata] : r.members)
          resp.members.push_back({id, instance, {std::move(metadata)}});
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
