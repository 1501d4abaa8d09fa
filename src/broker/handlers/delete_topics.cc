#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/topic_lookup.h"
#include "broker/protocol/messages/admin.h"

namespace sluice::broker::handlers {

std::optional<Bytes> delete_topics(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::DeleteTopicsRequest>(
      req, [&](const protocol::DeleteTopicsRequest& in) {
        protocol::DeleteTopicsResponse resp;
        for (const auto& name : in.topic_names) {
          protocol::NamedResult r{name};
          r.message_versions = protocol::kNever;  // DeleteTopics v0-v3 has no message field
          if (!authorized(ctx, req, acl::Operation::kDelete, acl::Resource::topic(name))) {
            r.error_code = authorization_failed(acl::ResourceType::kTopic);
            resp.responses.push_back(std::move(r));
            continue;
          }
          r.error_code = protocol::code(to_error(ctx.topics.delete_topic(name).status));
          ctx.producers.forget(name);
          resp.responses.push_back(std::move(r));
        }
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
