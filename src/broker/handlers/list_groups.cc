#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/messages/groups.h"

namespace sluice::broker::handlers {

std::optional<Bytes> list_groups(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::ListGroupsRequest>(req, [&](const protocol::ListGroupsRequest&) {
    protocol::ListGroupsResponse resp;
    // Kafka: DESCRIBE on the cluster lists every group, else those the caller may describe.
    bool all = visible(ctx, req, acl::Operation::kDescribe, acl::Resource::cluster());
    for (auto& [id, type] : ctx.groups.list()) {
      if (all || visible(ctx, req, acl::Operation::kDescribe, acl::Resource::group(id)))
        resp.groups.push_back({id, type});
    }
    return std::optional(resp);
  });
}

}  // namespace sluice::broker::handlers
