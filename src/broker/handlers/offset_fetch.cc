// OffsetFetch: -1 for partitions with no committed offset; null topics (v2+)
// means every partition the group has committed.
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/messages/offsets.h"

namespace sluice::broker::handlers {
namespace {

using protocol::OffsetFetchResponse;

OffsetFetchResponse::Partition to_partition(int32_t index,
                                            const std::optional<CommittedOffset>& c) {
  OffsetFetchResponse::Partition p;
  p.index = index;
  p.metadata = "";
  if (c) {
    p.committed_offset = c->offset;
    p.committed_leader_epoch = c->leader_epoch;
    p.metadata = c->metadata;
  }
  return p;
}

}  // namespace

std::optional<Bytes> offset_fetch(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::OffsetFetchRequest>(req, [&](const protocol::OffsetFetchRequest&
                                                                    in) {
    OffsetFetchResponse resp;
    auto& store = ctx.groups.offsets();
    // Kafka: READ on the group; per topic DESCRIBE, a topic not allowed being
    // omitted from "every topic" and refused when named.
    bool group_allowed =
        authorized(ctx, req, acl::Operation::kRead, acl::Resource::group(in.group_id));
    if (!group_allowed) resp.error_code = authorization_failed(acl::ResourceType::kGroup);
    if (!in.topics) {
      for (const auto& [key, c] : store.group_offsets(in.group_id)) {
        if (!group_allowed ||
            !visible(ctx, req, acl::Operation::kDescribe, acl::Resource::topic(key.topic)))
          continue;
        if (resp.topics.empty() || resp.topics.back().name != key.topic)
          resp.topics.push_back({key.topic, {}});
        resp.topics.back().partitions.push_back(to_partition(key.partition, c));
      }
      return std::optional(resp);
    }
    for (const auto& topic : *in.topics) {
      auto& t = resp.topics.emplace_back();
      t.name = topic.name;
      int16_t refused =
          !group_allowed ? resp.error_code
          : authorized(ctx, req, acl::Operation::kDescribe, acl::Resource::topic(topic.name))
              ? 0
              : authorization_failed(acl::ResourceType::kTopic);
      for (int32_t index : topic.partition_indexes) {
        if (refused) {
          t.partitions.push_back(to_partition(index, std::nullopt));
          t.partitions.back().error_code = refused;
          continue;
        }
        t.partitions.push_back(to_partition(index, store.fetch({in.group_id, topic.name, index})));
      }
    }
    return std::optional(resp);
  });
}

}  // namespace sluice::broker::handlers
