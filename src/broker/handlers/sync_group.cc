// SyncGroup: the leader hands in every member's assignment; everyone else
// parks until it has, then receives its own share. v5+ (KIP-559) names the
// protocol type and name on both sides: refused when they are not the group's.
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/messages/groups.h"

namespace sluice::broker::handlers {

std::optional<Bytes> sync_group(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::SyncGroupRequest>(
      req, [&](const protocol::SyncGroupRequest& in) {
        if (!authorized(ctx, req, acl::Operation::kRead, acl::Resource::group(in.group_id)))
          return refused<protocol::SyncGroupResponse>(acl::ResourceType::kGroup);
        std::vector<std::pair<std::string, Bytes>> assignments;
        for (const auto& a : in.assignments)
          assignments.emplace_back(a.member_id, a.assignment.data);
        SyncResult r =
            ctx.groups.sync(in.group_id, in.generation_id, in.member_id, in.group_instance_id,
                            assignments, {in.protocol_type, in.protocol_name});
        protocol::SyncGroupResponse resp;
        resp.error_code = r.error;
        if (r.error == 0) {
          resp.protocol_type = std::move(r.protocol_type);
          resp.protocol_name = std::move(r.protocol_name);
        }
        resp.assignment.data = std::move(r.assignment);
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
