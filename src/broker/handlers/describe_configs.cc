// DescribeConfigs for topics (every setting in force, saying where each comes
// from: the topic's own override, the broker's dynamic default, or the default)
// and for the broker (the topic defaults under Kafka's broker names, which
// kafka-configs --entity-type brokers changes). Synonyms (v1+) list every
// level that sets a value, most specific first, as Kafka does.
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/errors.h"
#include "broker/protocol/messages/admin.h"

namespace sluice::broker::handlers {
namespace {

using protocol::DescribeConfigsRequest;
using protocol::DescribeConfigsResponse;
using Config = DescribeConfigsResponse::Config;

bool wanted(const DescribeConfigsRequest::Resource& res, const std::string& name) {
  if (!res.configuration_keys) return true;
  for (const auto& k : *res.configuration_keys) {
    if (k == name) return true;
  }
  return false;
}

// DESCRIBE_CONFIGS on the topic, or on the cluster for the broker's own configs.
acl::Resource config_owner(const DescribeConfigsRequest::Resource& res) {
  return res.resource_type == DescribeConfigsRequest::kTopic
             ? acl::Resource::topic(res.resource_name)
             : acl::Resource::cluster();
}

// What sets each setting's value besides the topic: the broker's dynamic
// settings (by broker name) and the broker's start-up defaults.
struct BrokerLevels {
  std::map<std::string, std::string> dynamic;
  std::map<std::string, std::string> start_up;  // by topic name
  int8_t dynamic_source = DescribeConfigsResponse::kDynamicBrokerConfig;
};

BrokerLevels broker_levels(BrokerContext& ctx, bool cluster_default) {
  BrokerLevels b;
  b.dynamic_source = cluster_default ? DescribeConfigsResponse::kDynamicDefaultBrokerConfig
                                     : DescribeConfigsResponse::kDynamicBrokerConfig;
  if (ctx.broker_defaults) {
    b.dynamic = ctx.broker_defaults->dynamic();
    b.start_up = config_to_map(ctx.broker_defaults->static_defaults());
  } else {
    b.start_up = config_to_map(ctx.options.topic_defaults.log);
  }
  return b;
}

// One setting as reported: `topic_value` is the topic's override, if described
// for a topic and set there.
Config describe_one(const ConfigDef& def, const std::string& reported_name,
                    const std::optional<std::string>& topic_value, const BrokerLevels& broker,
                    bool synonyms, bool documentation) {
  std::vector<DescribeConfigsResponse::Synonym> levels;
  if (topic_value)
    levels.push_back({def.name, *topic_value, DescribeConfigsResponse::kTopicConfig});
  if (auto it = broker.dynamic.find(def.broker_synonym); it != broker.dynamic.end())
    levels.push_back({def.broker_synonym, it->second, broker.dynamic_source});
  levels.push_back(
      {def.broker_synonym, broker.start_up.at(def.name), DescribeConfigsResponse::kDefaultConfig});
  Config c;
  c.name = reported_name;
  c.value = levels.front().value;
  c.config_source = levels.front().source;
  c.is_default = c.config_source == DescribeConfigsResponse::kDefaultConfig;
  c.config_type = static_cast<int8_t>(def.type);
  if (synonyms) c.synonyms = std::move(levels);
  if (documentation) c.documentation = def.doc;
  return c;
}

DescribeConfigsResponse::Result describe(BrokerContext& ctx, const protocol::Request& req,
                                         const DescribeConfigsRequest::Resource& res,
                                         const DescribeConfigsRequest& in) {
  DescribeConfigsResponse::Result out;
  out.resource_type = res.resource_type;
  out.resource_name = res.resource_name;
  acl::Resource owner = config_owner(res);
  if (!authorized(ctx, req, acl::Operation::kDescribeConfigs, owner)) {
    out.error_code = authorization_failed(owner.type);
    out.error_message = "describing configs needs DESCRIBE_CONFIGS";
    return out;
  }
  const bool topic = res.resource_type == DescribeConfigsRequest::kTopic;
  if (!topic && res.resource_type != DescribeConfigsRequest::kBroker) {
    out.error_code = protocol::code(protocol::ErrorCode::kInvalidRequest);
    out.error_message = "only topic (2) and broker (4) resources have configs here";
    return out;
  }
  std::map<std::string, std::string> overrides;
  if (topic) {
    auto info = ctx.topics.describe(res.resource_name);
    if (!info) {
      out.error_code = protocol::code(protocol::ErrorCode::kUnknownTopicOrPartition);
      out.error_message = "topic '" + res.resource_name + "' does not exist";
      return out;
    }
    overrides = info->overrides;
  }
  const BrokerLevels broker = broker_levels(ctx, !topic && res.resource_name.empty());
  for (const ConfigDef& def : topic_config_defs()) {
    const std::string name = topic ? def.name : def.broker_synonym;
    if (!wanted(res, name)) continue;
    std::optional<std::string> topic_value;
    if (auto it = overrides.find(def.name); it != overrides.end()) topic_value = it->second;
    out.configs.push_back(describe_one(def, name, topic_value, broker, in.include_synonyms,
                                       in.include_documentation));
  }
  return out;
}

}  // namespace

std::optional<Bytes> describe_configs(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<DescribeConfigsRequest>(req, [&](const DescribeConfigsRequest& in) {
    DescribeConfigsResponse resp;
    for (const auto& res : in.resources) resp.results.push_back(describe(ctx, req, res, in));
    return std::optional(resp);
  });
}

}  // namespace sluice::broker::handlers
