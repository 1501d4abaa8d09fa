// LeaveGroup: v0-v2 name one member; v3+ a batch (static members by instance id),
// each member with its reason for leaving from v5 (logged).
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/messages/groups.h"

namespace sluice::broker::handlers {

std::optional<Bytes> leave_group(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::LeaveGroupRequest>(
      req, [&](const protocol::LeaveGroupRequest& in) {
        if (!authorized(ctx, req, acl::Operation::kRead, acl::Resource::group(in.group_id)))
          return refused<protocol::LeaveGroupResponse>(acl::ResourceType::kGroup);
        std::vector<LeavingMember> leaving;
        if (req.header.api_version < 3) {
          leaving.push_back({in.member_id, std::nullopt, std::nullopt});
        } else {
          for (const auto& m : in.members)
            leaving.push_back({m.member_id, m.group_instance_id, m.reason});
        }
        auto errors = ctx.groups.leave(in.group_id, leaving);
        protocol::LeaveGroupResponse resp;
        if (req.header.api_version < 3) {
          resp.error_code = errors.front();
        } else {
          for (size_t i = 0; i < leaving.size(); ++i) {
            resp.members.push_back({leaving[i].member_id, leaving[i].instance_id, errors[i]});
          }
        }
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
