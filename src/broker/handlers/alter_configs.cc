// AlterConfigs (the legacy, non-incremental API): the request lists a
// resource's whole set of overrides; settings it leaves out go back to their
// defaults, as in Kafka. kafka-configs uses IncrementalAlterConfigs instead.
#include <set>

#include "broker/handlers/config_alteration.h"
#include "broker/handlers/handlers.h"

namespace sluice::broker::handlers {

std::optional<Bytes> alter_configs(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::AlterConfigsRequest>(
      req, [&](const protocol::AlterConfigsRequest& in) {
        protocol::AlterConfigsResponse resp;
        for (const auto& res : in.resources) {
          auto build = [&](const ConfigsNow& now,
                           ConfigChanges& changes) -> std::optional<std::string> {
            for (const auto& [name, value] : now.overridden) changes[name] = std::nullopt;
            std::set<std::string> seen;
            for (const auto& c : res.configs) {
              if (!seen.insert(c.name).second) return "'" + c.name + "' is listed twice";
              changes[c.name] = c.value;  // a null value: back to the default
            }
            return std::nullopt;
          };
          resp.responses.push_back(alter_resource(ctx, req, res.resource_type, res.resource_name,
                                                  build, in.validate_only));
        }
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
