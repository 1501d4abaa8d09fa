#include <set>

#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/errors.h"
#include "broker/protocol/messages/scram_credentials.h"
#include "broker/security/scram_admin.h"
#include "broker/security/super_users.h"

namespace sluice::broker::handlers {
namespace {

// Every user named in the request answers CLUSTER_AUTHORIZATION_FAILED, as Kafka does.
protocol::AlterUserScramCredentialsResponse deny_all(
    const protocol::AlterUserScramCredentialsRequest& in) {
  protocol::AlterUserScramCredentialsResponse out;
  std::set<std::string> users;
  for (const auto& d : in.deletions) users.insert(d.name);
  for (const auto& u : in.upsertions) users.insert(u.name);
  for (const auto& user : users) {
    out.results.push_back(
        {user, protocol::code(protocol::ErrorCode::kClusterAuthorizationFailed),
         "not allowed to alter SCRAM credentials: needs ALTER on the cluster, or a super user"});
  }
  return out;
}

}  // namespace

std::optional<Bytes> alter_user_scram_credentials(BrokerContext& ctx,
                                                  const protocol::Request& req) {
  return protocol::serve<protocol::AlterUserScramCredentialsRequest>(
      req, [&](const protocol::AlterUserScramCredentialsRequest& in) {
        if (!may_manage_credentials(ctx, req, acl::Operation::kAlter)) {
          return std::optional(deny_all(in));
        }
        return std::optional(security::alter_scram_credentials(*ctx.credentials, in));
      });
}

}  // namespace sluice::broker::handlers
