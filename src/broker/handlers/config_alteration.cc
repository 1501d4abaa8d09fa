#include "broker/handlers/config_alteration.h"

#include "broker/handlers/authorize.h"
#include "broker/protocol/errors.h"

namespace sluice::broker::handlers {
namespace {

using protocol::AlterConfigsResponse;
using protocol::ErrorCode;

AlterConfigsResponse::Result answer(int8_t type, const std::string& name, ErrorCode error,
                                    const std::string& message) {
  AlterConfigsResponse::Result r;
  r.resource_type = type;
  r.resource_name = name;
  r.error_code = protocol::code(error);
  if (error != ErrorCode::kNone) r.error_message = message;
  return r;
}

AlterConfigsResponse::Result alter_topic(BrokerContext& ctx, const std::string& name,
                                         const BuildChanges& build, bool validate_only) {
  auto info = ctx.topics.describe(name);
  if (!info) {
    return answer(protocol::kTopicResource, name, ErrorCode::kUnknownTopicOrPartition,
                  "topic '" + name + "' does not exist");
  }
  ConfigChanges changes;
  if (auto error = build({info->overrides, config_to_map(info->config)}, changes))
    return answer(protocol::kTopicResource, name, ErrorCode::kInvalidConfig, *error);
  StoreResult r = ctx.topics.alter_configs(name, changes, validate_only);
  switch (r.status) {
    case StoreStatus::kOk:
      return answer(protocol::kTopicResource, name, ErrorCode::kNone, "");
    case StoreStatus::kUnknownTopic:
      return answer(protocol::kTopicResource, name, ErrorCode::kUnknownTopicOrPartition, r.message);
    case StoreStatus::kIoError:
      return answer(protocol::kTopicResource, name, ErrorCode::kKafkaStorageError, r.message);
    default:
      return answer(protocol::kTopicResource, name, ErrorCode::kInvalidConfig, r.message);
  }
}

AlterConfigsResponse::Result alter_broker(BrokerContext& ctx, const std::string& name,
                                          const BuildChanges& build, bool validate_only) {
  // "" is the cluster-wide default (--entity-default), else a node id: one node here.
  if (!name.empty() && name != std::to_string(ctx.options.node_id)) {
    return answer(
        protocol::kBrokerResource, name, ErrorCode::kInvalidRequest,
        "broker '" + name + "' is not this node (" + std::to_string(ctx.options.node_id) + ")");
  }
  if (!ctx.broker_defaults) {
    return answer(protocol::kBrokerResource, name, ErrorCode::kInvalidRequest,
                  "this broker has no dynamic settings");
  }
  ConfigsNow now{ctx.broker_defaults->dynamic(), {}};
  for (const auto& [topic_name, value] : config_to_map(ctx.broker_defaults->effective()))
    now.effective[find_topic_config(topic_name)->broker_synonym] = value;
  ConfigChanges changes;
  if (auto error = build(now, changes))
    return answer(protocol::kBrokerResource, name, ErrorCode::kInvalidConfig, *error);
  BrokerDefaults::Change c;
  try {
    c = ctx.broker_defaults->alter(changes, validate_only);
  } catch (const std::exception& e) {
    return answer(protocol::kBrokerResource, name, ErrorCode::kKafkaStorageError, e.what());
  }
  if (!c.defaults)
    return answer(protocol::kBrokerResource, name, ErrorCode::kInvalidConfig, c.error);
  if (!validate_only) ctx.topics.set_defaults(*c.defaults);
  return answer(protocol::kBrokerResource, name, ErrorCode::kNone, "");
}

}  // namespace

AlterConfigsResponse::Result alter_resource(BrokerContext& ctx, const protocol::Request& req,
                                            int8_t type, const std::string& name,
                                            const BuildChanges& build, bool validate_only) {
  if (type != protocol::kTopicResource && type != protocol::kBrokerResource) {
    return answer(type, name, ErrorCode::kInvalidRequest,
                  "only topic (2) and broker (4) resources have configs here, not type " +
                      std::to_string(type));
  }
  const acl::Resource owner =
      type == protocol::kTopicResource ? acl::Resource::topic(name) : acl::Resource::cluster();
  if (!authorized(ctx, req, acl::Operation::kAlterConfigs, owner)) {
    AlterConfigsResponse::Result r = answer(type, name, ErrorCode::kNone, "");
    r.error_code = authorization_failed(owner.type);
    r.error_message = "altering configs needs ALTER_CONFIGS";
    return r;
  }
  return type == protocol::kTopicResource ? alter_topic(ctx, name, build, validate_only)
                                          : alter_broker(ctx, name, build, validate_only);
}

}  // namespace sluice::broker::handlers
