// ConsumerGroupDescribe (KIP-848): each consumer group's epochs, assignor and
// members with their current and target assignments, topics named by id and
// name. A group that is not a consumer group answers GROUP_ID_NOT_FOUND, which
// tells Kafka's admin client to ask DescribeGroups instead.
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/errors.h"
#include "broker/protocol/messages/consumer_groups.h"

namespace sluice::broker::handlers {
namespace {

using protocol::ConsumerGroupDescribeResponse;

ConsumerGroupDescribeResponse::Assignment to_wire(const TopicStore& topics, const PartitionSet& s) {
  ConsumerGroupDescribeResponse::Assignment out;
  for (const auto& [id, partitions] : s) {
    auto topic = topics.describe(id);
    if (!topic) continue;  // deleted since: the next heartbeat drops it
    out.topic_partitions.push_back({id, topic->name, {partitions.begin(), partitions.end()}});
  }
  return out;
}

ConsumerGroupDescribeResponse::Group describe(BrokerContext& ctx, const std::string& id) {
  ConsumerGroupDescribeResponse::Group g;
  g.group_id = id;
  auto group = ctx.groups.consumer_group(id);
  if (!group) {
    g.error_code = protocol::code(protocol::ErrorCode::kGroupIdNotFound);
    g.error_message = "group '" + id + "' is not a consumer group";
    return g;
  }
  g.group_state = group->state();
  g.group_epoch = group->group_epoch();
  g.assignment_epoch = group->assignment_epoch();
  g.assignor_name = group->assignor();
  for (const auto& [member_id, m] : group->members()) {
    auto& out = g.members.emplace_back();
    out.member_id = member_id;
    out.instance_id = m.instance_id;
    out.rack_id = m.rack_id;
    out.member_epoch = m.assignment.member_epoch;
    out.client_id = m.client_id;
    out.client_host = m.client_host;
    out.subscribed_topic_names = m.subscribed_names;
    out.subscribed_topic_regex = m.subscribed_regex;
    out.assignment = to_wire(ctx.topics, m.assignment.assigned);
    out.target_assignment = to_wire(ctx.topics, group->target_of(member_id));
  }
  return g;
}

}  // namespace

std::optional<Bytes> consumer_group_describe(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::ConsumerGroupDescribeRequest>(
      req, [&](const protocol::ConsumerGroupDescribeRequest& in) {
        ConsumerGroupDescribeResponse resp;
        for (const auto& id : in.group_ids) {
          if (!authorized(ctx, req, acl::Operation::kDescribe, acl::Resource::group(id))) {
            auto& g = resp.groups.emplace_back();
            g.group_id = id;
            g.error_code = authorization_failed(acl::ResourceType::kGroup);
            continue;
          }
          resp.groups.push_back(describe(ctx, id));
        }
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
