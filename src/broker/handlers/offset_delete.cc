// OffsetDelete: removes committed offsets of topics no live member reads.
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/messages/offsets.h"

namespace sluice::broker::handlers {

std::optional<Bytes> offset_delete(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::OffsetDeleteRequest>(
      req, [&](const protocol::OffsetDeleteRequest& in) {
        protocol::OffsetDeleteResponse resp;
        if (!authorized(ctx, req, acl::Operation::kDelete, acl::Resource::group(in.group_id)))
          return refused<protocol::OffsetDeleteResponse>(acl::ResourceType::kGroup);
        for (const auto& topic : in.topics) {
          auto& t = resp.topics.emplace_back();
          t.name = topic.name;
          int16_t err =
              authorized(ctx, req, acl::Operation::kRead, acl::Resource::topic(topic.name))
                  ? ctx.groups.check_offset_delete(in.group_id, topic.name)
                  : authorization_failed(acl::ResourceType::kTopic);
          for (const auto& p : topic.partitions) {
            if (err == 0) ctx.groups.offsets().erase({in.group_id, topic.name, p.index});
            t.partitions.push_back({p.index, err});
          }
        }
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
