// CreateTopics: a single node has one replica per partition, so any replication
// factor other than 1 (or -1, "broker default") is refused with a reason. A
// created topic is answered with its new id (v7+) and, from v5, as it now is:
// partition count, replication factor and every config with its source (for
// validate_only, as it would be).
#include <fmt/format.h>

#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/topic_lookup.h"
#include "broker/protocol/messages/topics.h"

namespace sluice::broker::handlers {
namespace {

using protocol::CreateTopicsRequest;
using protocol::CreateTopicsResponse;
using protocol::ErrorCode;

std::vector<CreateTopicsResponse::Config> configs_of(const TopicStore::TopicInfo& info) {
  std::vector<CreateTopicsResponse::Config> out;
  for (const auto& [name, value] : config_to_map(info.config)) {
    CreateTopicsResponse::Config c;
    c.name = name;
    c.value = value;
    c.config_source = info.overrides.count(name) ? CreateTopicsResponse::Config::kTopicConfig
                                                 : CreateTopicsResponse::Config::kDefaultConfig;
    out.push_back(std::move(c));
  }
  return out;
}

CreateTopicsResponse::Topic create_one(BrokerContext& ctx, const CreateTopicsRequest::Topic& t,
                                       bool validate_only) {
  CreateTopicsResponse::Topic r;
  r.name = t.name;
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
  TopicStore::TopicInfo created;
  StoreResult res = ctx.topics.create_topic(t.name, partitions, configs, validate_only, &created);
  r.error_code = protocol::code(to_error(res.status));
  if (res.status != StoreStatus::kOk) {
    r.error_message = res.message;
    return r;
  }
  r.topic_id = created.id;
  r.num_partitions = created.partitions;
  r.replication_factor = 1;
  r.configs = configs_of(created);
  return r;
}

}  // namespace

std::optional<Bytes> create_topics(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<CreateTopicsRequest>(req, [&](const CreateTopicsRequest& in) {
    CreateTopicsResponse resp;
    for (const auto& t : in.topics) {
      if (authorized_to_create_topic(ctx, req, t.name)) {
        resp.topics.push_back(create_one(ctx, t, in.validate_only));
      } else {
        CreateTopicsResponse::Topic denied;
        denied.name = t.name;
        denied.error_code = authorization_failed(acl::ResourceType::kTopic);
        denied.error_message = "creating a topic needs CREATE on the cluster or the topic";
        resp.topics.push_back(std::move(denied));
      }
    }
    return std::optional(resp);
  });
}

}  // namespace sluice::broker::handlers
