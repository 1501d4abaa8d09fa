#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/errors.h"
#include "broker/protocol/messages/scram_credentials.h"
#include "broker/security/scram_admin.h"
#include "broker/security/super_users.h"

namespace sluice::broker::handlers {

std::optional<Bytes> describe_user_scram_credentials(BrokerContext& ctx,
                                                     const protocol::Request& req) {
  return protocol::serve<protocol::DescribeUserScramCredentialsRequest>(
      req, [&](const protocol::DescribeUserScramCredentialsRequest& in) {
        if (!may_manage_credentials(ctx, req, acl::Operation::kDescribe)) {
          protocol::DescribeUserScramCredentialsResponse denied;
          denied.error_code = protocol::code(protocol::ErrorCode::kClusterAuthorizationFailed);
          denied.error_message =
              "not allowed to describe SCRAM credentials: needs DESCRIBE on the cluster, or a "
              "super user";
          return std::optional(denied);
        }
        return std::optional(security::describe_scram_credentials(*ctx.credentials, in));
      });
}

}  // namespace sluice::broker::handlers
