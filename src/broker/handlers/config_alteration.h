// What AlterConfigs and IncrementalAlterConfigs share: a resource's requested
// changes, in the store's terms (a setting to a value, or back to its default),
// checked, authorized (ALTER_CONFIGS on the topic, or on the cluster for the
// broker) and applied to a topic (TopicStore) or to the broker's topic
// defaults (BrokerDefaults). The two handlers only differ in how they turn the
// request into those changes.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "broker/broker_context.h"
#include "broker/protocol/messages/alter_configs.h"
#include "broker/protocol/request.h"

namespace sluice::broker::handlers {

// Setting name -> new value, or nullopt: back to the default.
using ConfigChanges = std::map<std::string, std::optional<std::string>>;

// What the resource holds now, for building its changes.
struct ConfigsNow {
  std::map<std::string, std::string> overridden;  // set on the resource itself
  std::map<std::string, std::string> effective;   // every setting's value in force
};

// Builds the changes from what the resource holds now; returns an error text
// (INVALID_CONFIG) instead when the request cannot be applied.
using BuildChanges =
    std::function<std::optional<std::string>(const ConfigsNow& now, ConfigChanges& changes)>;

// Answers the resource's result: NONE, or Kafka's code with a message naming
// what was refused.
protocol::AlterConfigsResponse::Result alter_resource(BrokerContext& ctx,
                                                      const protocol::Request& req, int8_t type,
                                                      const std::string& name,
                                                      const BuildChanges& build,
                                                      bool validate_only);

}  // namespace sluice::broker::handlers
