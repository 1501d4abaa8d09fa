#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/topic_lookup.h"
#include "broker/protocol/messages/admin.h"

namespace sluice::broker::handlers {
namespace {

// validate_only: the checks add_partitions would make, without the change.
StoreResult check_count(BrokerContext& ctx, const std::string& name, int32_t count) {
  auto info = ctx.topics.describe(name);
  if (!info) return {StoreStatus::kUnknownTopic, "topic '" + name + "' does not exist"};
  if (count <= info->partitions) {
    return {StoreStatus::kInvalidPartitions, "topic '" + name + "' already has " +
                                                 std::to_string(info->partitions) +
                                                 " partitions; the new count must be larger"};
  }
  return {};
}

}  // namespace

std::optional<Bytes> create_partitions(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::CreatePartitionsRequest>(
      req, [&](const protocol::CreatePartitionsRequest& in) {
        protocol::CreatePartitionsResponse resp;
        for (const auto& t : in.topics) {
          protocol::NamedResult r{t.name};
          r.message_versions = protocol::since(0);
          if (!authorized(ctx, req, acl::Operation::kAlter, acl::Resource::topic(t.name))) {
            r.error_code = authorization_failed(acl::ResourceType::kTopic);
            r.error_message = "adding partitions needs ALTER on the topic";
            resp.results.push_back(std::move(r));
            continue;
          }
          StoreResult res = in.validate_only ? check_count(ctx, t.name, t.count)
                                             : ctx.topics.add_partitions(t.name, t.count);
          r.error_code = protocol::code(to_error(res.status));
          if (res.status != StoreStatus::kOk) r.error_message = res.message;
          resp.results.push_back(std::move(r));
        }
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
