// OffsetFetch: -1 for partitions with no committed offset; null topics (v2+)
// means every partition the group has committed. v0-v7 ask for one group, v8+
// for several, each answered on its own exactly as a v0-v7 request for it.
// require_stable (v7+, KIP-447): a partition named in the request whose offset an
// open transaction has pending (TxnOffsetCommit) answers UNSTABLE_OFFSET_COMMIT,
// which the consumer retries until the transaction ends.
// v9 (KIP-848): a consumer group member names itself and its epoch, checked as
// OffsetCommit checks them; classic groups and unnamed callers are not checked.
// v10 names topics by id, asked and answered: an id the broker does not know
// answers its partitions UNKNOWN_TOPIC_ID.
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/topic_lookup.h"
#include "broker/protocol/errors.h"
#include "broker/protocol/messages/offsets.h"
#include "broker/transactions/transaction_coordinator.h"

namespace sluice::broker::handlers {
namespace {

using protocol::OffsetFetchRequest;
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

// One group's answer: its topics and its group-level error.
OffsetFetchResponse::Group fetch_group(
    BrokerContext& ctx, const protocol::Request& req, const std::string& group_id,
    const std::optional<std::vector<OffsetFetchRequest::Topic>>& topics, bool require_stable) {
  OffsetFetchResponse::Group out;
  out.group_id = group_id;
  auto& store = ctx.groups.offsets();
  // Kafka: READ on the group; per topic DESCRIBE, a topic not allowed being
  // omitted from "every topic" and refused when named.
  bool group_allowed = authorized(ctx, req, acl::Operation::kRead, acl::Resource::group(group_id));
  if (!group_allowed) out.error_code = authorization_failed(acl::ResourceType::kGroup);
  const bool by_id = req.header.api_version >= protocol::kFirstOffsetsTopicIdVersion;
  if (!topics) {
    std::string without_id;  // by id, a topic deleted since its offsets were committed has none
    for (const auto& [key, c] : store.group_offsets(group_id)) {
      if (!group_allowed || key.topic == without_id ||
          !visible(ctx, req, acl::Operation::kDescribe, acl::Resource::topic(key.topic)))
        continue;
      if (out.topics.empty() || out.topics.back().name != key.topic) {
        auto info = by_id ? ctx.topics.describe(key.topic) : std::nullopt;
        if (by_id && !info) {
          without_id = key.topic;
          continue;
        }
        out.topics.push_back({key.topic, {}});
        if (info) out.topics.back().topic_id = info->id;
      }
      out.topics.back().partitions.push_back(to_partition(key.partition, c));
    }
    return out;
  }
  for (const auto& topic : *topics) {
    auto& t = out.topics.emplace_back();
    t.name = topic.name;
    t.topic_id = topic.topic_id;
    const TopicName named = name_topic(ctx, topic.name, topic.topic_id, by_id);
    int16_t refused =
        !group_allowed                              ? out.error_code
        : named.error != protocol::ErrorCode::kNone ? protocol::code(named.error)
        : authorized(ctx, req, acl::Operation::kDescribe, acl::Resource::topic(named.name))
            ? 0
            : authorization_failed(acl::ResourceType::kTopic);
    for (int32_t index : topic.partition_indexes) {
      if (refused) {
        t.partitions.push_back(to_partition(index, std::nullopt));
        t.partitions.back().error_code = refused;
        continue;
      }
      OffsetKey key{group_id, named.name, index};
      t.partitions.push_back(to_partition(index, store.fetch(key)));
      if (require_stable && ctx.transactions && ctx.transactions->has_pending_offset(key))
        t.partitions.back().error_code = protocol::code(protocol::ErrorCode::kUnstableOffsetCommit);
    }
  }
  return out;
}

}  // namespace

std::optional<Bytes> offset_fetch(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<OffsetFetchRequest>(req, [&](const OffsetFetchRequest& in) {
    OffsetFetchResponse resp;
    if (req.header.api_version >= 8) {
      for (const auto& g : in.groups) {
        if (int16_t err = ctx.groups.check_offset_fetch(g.group_id, g.member_id, g.member_epoch)) {
          resp.groups.push_back({g.group_id, {}, err});
          continue;
        }
        resp.groups.push_back(fetch_group(ctx, req, g.group_id, g.topics, in.require_stable));
      }
      return std::optional(resp);
    }
    OffsetFetchResponse::Group one =
        fetch_group(ctx, req, in.group_id, in.topics, in.require_stable);
    resp.topics = std::move(one.topics);
    resp.error_code = one.error_code;
    return std::optional(resp);
  });
}

}  // namespace sluice::broker::handlers
