// ListGroups: every group the caller may describe; v4+ (KIP-518) answers each
// group's state and keeps only the states asked for (any case, none: all); v5+
// (KIP-848) the same for the group's type, classic or consumer.
#include <algorithm>
#include <cctype>

#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/messages/groups.h"

namespace sluice::broker::handlers {
namespace {

bool same_ignoring_case(std::string_view a, std::string_view b) {
  return std::ranges::equal(
      a, b, [](unsigned char x, unsigned char y) { return std::tolower(x) == std::tolower(y); });
}

bool wanted(const std::vector<std::string>& states, const std::string& state) {
  return states.empty() || std::ranges::any_of(states, [&](const std::string& s) {
           return same_ignoring_case(s, state);
         });
}

}  // namespace

std::optional<Bytes> list_groups(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::ListGroupsRequest>(
      req, [&](const protocol::ListGroupsRequest& in) {
        protocol::ListGroupsResponse resp;
        // Kafka: DESCRIBE on the cluster lists every group, else those the caller may describe.
        bool all = visible(ctx, req, acl::Operation::kDescribe, acl::Resource::cluster());
        for (ListedGroup& g : ctx.groups.list()) {
          if (!wanted(in.states_filter, g.state) || !wanted(in.types_filter, g.type)) continue;
          if (all || visible(ctx, req, acl::Operation::kDescribe, acl::Resource::group(g.group_id)))
            resp.groups.push_back({std::move(g.group_id), std::move(g.protocol_type),
                                   std::move(g.state), std::move(g.type)});
        }
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
