// DescribeClientQuotas: translates. No quota is ever configured in sluice, so
// every authorized query matches nothing (Kafka answers the same for a broker
// without quotas); the caller needs DESCRIBE_CONFIGS on the cluster, as in Kafka.
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/errors.h"
#include "broker/protocol/messages/client_quotas.h"

namespace sluice::broker::handlers {

std::optional<Bytes> describe_client_quotas(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::DescribeClientQuotasRequest>(
      req, [&](const protocol::DescribeClientQuotasRequest&) {
        protocol::DescribeClientQuotasResponse out;
        if (!authorized(ctx, req, acl::Operation::kDescribeConfigs, acl::Resource::cluster())) {
          out.error_code = authorization_failed(acl::ResourceType::kCluster);
          out.error_message =
              "not allowed to describe client quotas: needs DESCRIBE_CONFIGS on "
              "the cluster, or a super user";
          return std::optional(out);
        }
        out.entries.emplace();  // sluice enforces no client quotas
        return std::optional(out);
      });
}

}  // namespace sluice::broker::handlers
