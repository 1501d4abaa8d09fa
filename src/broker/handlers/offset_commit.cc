// OffsetCommit: checked against the group's membership and generation, then
// journaled before the answer (see OffsetStore). A journal write the disk refuses
// is answered NOT_COORDINATOR, as Kafka answers a failed offsets-log append.
// v10 names topics by id: an id the broker does not know is UNKNOWN_TOPIC_ID.
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/topic_lookup.h"
#include "broker/protocol/errors.h"
#include "broker/protocol/messages/offsets.h"
#include "broker/storage/storage_error.h"
#include "common/clock.h"

namespace sluice::broker::handlers {

std::optional<Bytes> offset_commit(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::OffsetCommitRequest>(
      req, [&](const protocol::OffsetCommitRequest& in) {
        int16_t err = authorized(ctx, req, acl::Operation::kRead, acl::Resource::group(in.group_id))
                          ? ctx.groups.check_commit(
                                in.group_id, {in.generation_id, in.member_id, in.group_instance_id})
                          : authorization_failed(acl::ResourceType::kGroup);
        std::vector<std::pair<OffsetKey, CommittedOffset>> commits;
        protocol::OffsetCommitResponse resp;
        int64_t now = now_ms();
        const bool by_id = req.header.api_version >= protocol::kFirstOffsetsTopicIdVersion;
        for (const auto& topic : in.topics) {
          auto& t = resp.topics.emplace_back();
          t.name = topic.name;
          t.topic_id = topic.topic_id;
          const TopicName named = name_topic(ctx, topic.name, topic.topic_id, by_id);
          // An unknown id names no topic to authorize; an unknown name is refused
          // only after the authorization check, which must not reveal it.
          const int16_t unknown_id = protocol::code(named.error);
          bool known = !unknown_id && ctx.topics.describe(named.name).has_value();
          bool allowed =
              err != 0 || unknown_id ||
              authorized(ctx, req, acl::Operation::kRead, acl::Resource::topic(named.name));
          for (const auto& p : topic.partitions) {
            int16_t perr = err          ? err
                           : unknown_id ? unknown_id
                           : !allowed   ? authorization_failed(acl::ResourceType::kTopic)
                           : known      ? 0
                                   : protocol::code(protocol::ErrorCode::kUnknownTopicOrPartition);
            t.partitions.push_back({p.index, perr});
            if (perr == 0) {
              commits.push_back({{in.group_id, named.name, p.index},
                                 {p.committed_offset, p.committed_leader_epoch,
                                  p.committed_metadata.value_or(""), now}});
            }
          }
        }
        if (!commits.empty()) {
          try {
            ctx.groups.offsets().commit(commits);
          } catch (const StorageError&) {
            // Kafka's answer when its offsets log refuses the append: the client looks
            // the coordinator up again and retries (logged once by the store).
            for (auto& t : resp.topics)
              for (auto& p : t.partitions)
                if (p.error_code == 0)
                  p.error_code = protocol::code(protocol::ErrorCode::kNotCoordinator);
          }
        }
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
