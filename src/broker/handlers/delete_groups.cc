// DeleteGroups: only groups without live members; their committed offsets go too.
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/messages/groups.h"

namespace sluice::broker::handlers {

std::optional<Bytes> delete_groups(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::DeleteGroupsRequest>(
      req, [&](const protocol::DeleteGroupsRequest& in) {
        protocol::DeleteGroupsResponse resp;
        for (const auto& id : in.groups_names) {
          bool allowed = authorized(ctx, req, acl::Operation::kDelete, acl::Resource::group(id));
          resp.results.push_back({id, allowed ? ctx.groups.delete_group(id)
                                              : authorization_failed(acl::ResourceType::kGroup)});
        }
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
