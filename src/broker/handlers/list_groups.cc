#include "broker/handlers/handlers.h"
#include "broker/protocol/messages/groups.h"

namespace sluice::broker::handlers {

std::optional<Bytes> list_groups(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::ListGroupsRequest>(req, [&](const protocol::ListGroupsRequest&) {
    protocol::ListGroupsResponse resp;
    for (auto& [id, type] : ctx.groups.list()) resp.groups.push_back({id, type});
    return std::optional(resp);
  });
}

}  // namespace sluice::broker::handlers
