// ConsumerGroupHeartbeat (KIP-848): translates topic ids both ways and hands the
// heartbeat to the group coordinator (groups/consumer_group.h), which owns the
// membership, the target assignment and each member's reconciliation.
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/messages/consumer_groups.h"

namespace sluice::broker::handlers {
namespace {

using protocol::ConsumerGroupHeartbeatRequest;
using protocol::ConsumerGroupHeartbeatResponse;

TopicCatalog catalog(const TopicStore& topics) {
  TopicCatalog out;
  for (const auto& t : topics.list()) out[t.name] = {t.id, t.partitions};
  return out;
}

std::optional<PartitionSet> to_partition_set(
    const std::optional<std::vector<protocol::MemberTopicPartitions>>& in) {
  if (!in) return std::nullopt;
  PartitionSet out;
  for (const auto& t : *in) out[t.topic_id].insert(t.partitions.begin(), t.partitions.end());
  return out;
}

std::vector<protocol::MemberTopicPartitions> to_wire(const PartitionSet& s) {
  std::vector<protocol::MemberTopicPartitions> out;
  for (const auto& [topic, partitions] : s)
    out.push_back({topic, {partitions.begin(), partitions.end()}});
  return out;
}

}  // namespace

std::optional<Bytes> consumer_group_heartbeat(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<ConsumerGroupHeartbeatRequest>(
      req, [&](const ConsumerGroupHeartbeatRequest& in) {
        if (!authorized(ctx, req, acl::Operation::kRead, acl::Resource::group(in.group_id)))
          return refused<ConsumerGroupHeartbeatResponse>(acl::ResourceType::kGroup);
        ConsumerHeartbeat hb;
        hb.group_id = in.group_id;
        hb.member_id = in.member_id;
        hb.member_epoch = in.member_epoch;
        hb.instance_id = in.instance_id;
        hb.rack_id = in.rack_id;
        hb.rebalance_timeout_ms = in.rebalance_timeout_ms;
        hb.subscribed_topic_names = in.subscribed_topic_names;
        hb.subscribed_topic_regex = in.subscribed_topic_regex;
        hb.server_assignor = in.server_assignor;
        hb.owned = to_partition_set(in.topic_partitions);
        hb.client_id = req.header.client_id.value_or("");
        hb.client_host = "/" + req.peer.substr(0, req.peer.rfind(':'));
        ConsumerHeartbeatResult r = ctx.groups.consumer_heartbeat(hb, catalog(ctx.topics));
        ConsumerGroupHeartbeatResponse resp;
        resp.error_code = r.error;
        if (r.error) {
          resp.error_message = r.message;
          return std::optional(resp);
        }
        resp.member_id = r.member_id;
        resp.member_epoch = r.member_epoch;
        resp.heartbeat_interval_ms = r.heartbeat_interval_ms;
        if (r.assignment) resp.assignment.emplace().topic_partitions = to_wire(*r.assignment);
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
