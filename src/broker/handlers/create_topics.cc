// CreateTopics: a single node has one replica per partition, so any replication
// factor other than 1 (or -1, "broker default") is refused with a reason.
#include <fmt/format.h>

#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/topic_lookup.h"
#include "broker/protocol/messages/admin.h"

namespace sluice::broker::handlers {
namespace {

using protocol::CreateTopicsRequest;
using protocol::ErrorCode;

protocol::NamedResult create_one(BrokerContext& ctx, const CreateTopicsRequest::Topic& t,
                                 bool validate_only) {
  protocol::NamedResult r{t.name};
  if (t.replication_factor != -1 && t.replication_factor != 1) {
    r.error_code = protocol::code(ErrorCode::kInvalidReplicationFactor);
    r.error_message = fmt::format(
        "replication factor {} is impossible on a single-node broker; use 1", t.replication_factor);
    return r;
  }
  int32_t partitions = t.assignments.empty() ? t.num_partitions : int32_t(t.assignments.size());
  std::map<std::string, std::string> configs;
  for (const auto& c : t.configs) {
    if (c.value) configs[c.name] = *c.value;
  }
  StoreResult res = ctx.topics.create_topic(t.name, partitions, configs, validate_only);
  r.error_code = protocol::code(to_error(res.status));
  if (res.status != StoreStatus::kOk) r.error_message = res.message;
  return r;
}

}  // namespace

std::optional<Bytes> create_topics(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<CreateTopicsRequest>(req, [&](const CreateTopicsRequest& in) {
    protocol::CreateTopicsResponse resp;
    for (const auto& t : in.topics) {
      if (authorized_to_create_topic(ctx, req, t.name)) {
        resp.topics.push_back(create_one(ctx, t, in.validate_only));
      } else {
        resp.topics.push_back({t.name, authorization_failed(acl::ResourceType::kTopic),
                               "creating a topic needs CREATE on the cluster or the topic"});
      }
    }
    return std::optional(resp);
  });
}

}  // namespace sluice::broker::handlers
