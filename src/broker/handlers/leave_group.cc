// LeaveGroup: v0-v2 name one member; v3 a batch (static members by instance id).
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/messages/groups.h"

namespace sluice::broker::handlers {

std::optional<Bytes> leave_group(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::LeaveGroupRequest>(
      req, [&](const protocol::LeaveGroupRequest& in) {
        if (!authorized(ctx, req, acl::Operation::kRead, acl::Resource::group(in.group_id)))
          return refused<protocol::LeaveGroupResponse>(acl::ResourceType::kGroup);
        std::vector<std::pair<std::string, std::optional<std::string>>> leaving;
        if (req.header.api_version < 3) {
          leaving.emplace_back(in.member_id, std::nullopt);
        } else {
          for (const auto& m : in.members) leaving.emplace_back(m.member_id, m.group_instance_id);
        }
        auto errors = ctx.groups.leave(in.group_id, leaving);
        protocol::LeaveGroupResponse resp;
        if (req.header.api_version < 3) {
          resp.error_code = errors.front();
        } else {
          for (size_t i = 0; i < leaving.size(); ++i) {
            resp.members.push_back({leaving[i].first, leaving[i].second, errors[i]});
          }
        }
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
