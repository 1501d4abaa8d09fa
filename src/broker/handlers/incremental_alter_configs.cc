// IncrementalAlterConfigs (what kafka-configs --alter sends): per setting SET,
// DELETE (back to the default), or for a list setting (cleanup.policy) APPEND
// or SUBTRACT items of the value in force, as Kafka does.
#include <algorithm>
#include <set>
#include <vector>

#include "broker/handlers/config_alteration.h"
#include "broker/handlers/handlers.h"

namespace sluice::broker::handlers {
namespace {

using Request = protocol::IncrementalAlterConfigsRequest;

bool is_list(const std::string& name) {
  const ConfigDef* def = find_topic_config(name);
  if (!def) def = find_by_broker_synonym(name);
  return def && def->type == ConfigType::kList;
}

// The value after APPEND or SUBTRACT of `operand`'s items to `current`'s.
std::string edited_list(const std::string& current, const std::string& operand, bool append) {
  std::vector<std::string> items = config_list_items(current);
  for (const std::string& item : config_list_items(operand)) {
    auto at = std::find(items.begin(), items.end(), item);
    if (append && at == items.end()) items.push_back(item);
    if (!append && at != items.end()) items.erase(at);
  }
  std::string joined;
  for (const std::string& item : items) joined += (joined.empty() ? "" : ",") + item;
  return joined;
}

std::optional<std::string> build(const Request::Resource& res, const ConfigsNow& now,
                                 ConfigChanges& changes) {
  std::set<std::string> seen;
  for (const auto& c : res.configs) {
    if (!seen.insert(c.name).second) return "'" + c.name + "' is listed twice";
    switch (c.operation) {
      case Request::kSet:
        if (!c.value) return "SET of '" + c.name + "' has no value";
        changes[c.name] = *c.value;
        break;
      case Request::kDelete:
        changes[c.name] = std::nullopt;
        break;
      case Request::kAppend:
      case Request::kSubtract: {
        const bool append = c.operation == Request::kAppend;
        if (!is_list(c.name)) {
          return std::string(append ? "APPEND" : "SUBTRACT") + " needs a list setting; '" + c.name +
                 "' is not one (use SET)";
        }
        auto in_force = now.effective.find(c.name);
        const std::string current = in_force == now.effective.end() ? "" : in_force->second;
        changes[c.name] = edited_list(current, c.value.value_or(""), append);
        break;
      }
      default:
        return "unknown operation " + std::to_string(c.operation) + " for '" + c.name +
               "' (0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT)";
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Bytes> incremental_alter_configs(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<Request>(req, [&](const Request& in) {
    protocol::AlterConfigsResponse resp;
    for (const auto& res : in.resources) {
      auto changes_of = [&](const ConfigsNow& now, ConfigChanges& changes) {
        return build(res, now, changes);
      };
      resp.responses.push_back(alter_resource(ctx, req, res.resource_type, res.resource_name,
                                              changes_of, in.validate_only));
    }
    return std::optional(resp);
  });
}

}  // namespace sluice::broker::handlers
