// DescribeConfigs for topics (their effective log settings, marking which are
// overridden) and for the broker (the defaults new topics get).
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/errors.h"
#include "broker/protocol/messages/admin.h"

namespace sluice::broker::handlers {
namespace {

using protocol::DescribeConfigsRequest;
using protocol::DescribeConfigsResponse;

// Config types (v3): 3 INT, 5 LONG, 7 LIST.
int8_t config_type(const std::string& name) {
  if (name == "cleanup.policy") return 7;
  if (name == "max.message.bytes" || name == "segment.bytes") return 3;
  return 5;
}

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

DescribeConfigsResponse::Result describe(BrokerContext& ctx, const protocol::Request& req,
                                         const DescribeConfigsRequest::Resource& res) {
  DescribeConfigsResponse::Result out;
  out.resource_type = res.resource_type;
  out.resource_name = res.resource_name;
  acl::Resource owner = config_owner(res);
  if (!authorized(ctx, req, acl::Operation::kDescribeConfigs, owner)) {
    out.error_code = authorization_failed(owner.type);
    out.error_message = "describing configs needs DESCRIBE_CONFIGS";
    return out;
  }
  LogConfig config = ctx.options.topic_defaults.log;
  std::map<std::string, std::string> overrides;
  if (res.resource_type == DescribeConfigsRequest::kTopic) {
    auto info = ctx.topics.describe(res.resource_name);
    if (!info) {
      out.error_code = protocol::code(protocol::ErrorCode::kUnknownTopicOrPartition);
      out.error_message = "topic '" + res.resource_name + "' does not exist";
      return out;
    }
    config = info->config;
    overrides = info->overrides;
  } else if (res.resource_type != DescribeConfigsRequest::kBroker) {
    out.error_code = protocol::code(protocol::ErrorCode::kInvalidRequest);
    out.error_message = "only topic (2) and broker (4) resources have configs here";
    return out;
  }
  for (const auto& [name, value] : config_to_map(config)) {
    if (!wanted(res, name)) continue;
    DescribeConfigsResponse::Config c;
    c.name = name;
    c.value = value;
    bool overridden = overrides.count(name) > 0;
    c.is_default = !overridden;
    c.config_source = overridden ? DescribeConfigsResponse::kTopicConfig
                                 : DescribeConfigsResponse::kDefaultConfig;
    c.config_type = config_type(name);
    out.configs.push_back(std::move(c));
  }
  return out;
}

}  // namespace

std::optional<Bytes> describe_configs(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<DescribeConfigsRequest>(req, [&](const DescribeConfigsRequest& in) {
    DescribeConfigsResponse resp;
    for (const auto& res : in.resources) resp.results.push_back(describe(ctx, req, res));
    return std::optional(resp);
  });
}

}  // namespace sluice::broker::handlers
