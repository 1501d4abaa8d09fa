#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/messages/groups.h"

namespace sluice::broker::handlers {

std::optional<Bytes> describe_groups(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::DescribeGroupsRequest>(
      req, [&](const protocol::DescribeGroupsRequest& in) {
        protocol::DescribeGroupsResponse resp;
        for (const auto& id : in.groups) {
          auto& g = resp.groups.emplace_back();
          if (!authorized(ctx, req, acl::Operation::kDescribe, acl::Resource::group(id))) {
            g.error_code = authorization_failed(acl::ResourceType::kGroup);
            g.group_id = id;
            continue;
          }
          GroupDescription d = ctx.groups.describe(id);
          g.error_code = d.error;
          g.group_id = d.group_id;
          g.group_state = d.state;
          g.protocol_type = d.protocol_type;
          g.protocol_data = d.protocol_name;
          for (auto& m : d.members) {
            g.members.push_back({m.member_id,
                                 m.instance_id,
                                 m.client_id,
                                 m.client_host,
                                 {std::move(m.metadata)},
                                 {std::move(m.assignment)}});
          }
        }
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
