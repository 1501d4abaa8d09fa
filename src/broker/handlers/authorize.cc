#include "broker/handlers/authorize.h"

#include "broker/handlers/handlers.h"
#include "broker/protocol/errors.h"
#include "broker/security/super_users.h"

namespace sluice::broker::handlers {
namespace {

acl::Requester requester(const protocol::Request& req) {
  if (!req.session) return {};
  return {req.session->principal, req.session->host};
}

const char* api_name(const protocol::Request& req) {
  const ApiSpec* api = find_api(req.header.api_key);
  return api ? api->name : "unknown API";
}

bool checked(BrokerContext& ctx, const protocol::Request& req, acl::Operation op,
             const acl::Resource& resource) {
  if (ctx.authorizer->allows(requester(req), op, resource)) return true;
  ctx.denials.record(api_name(req), requester(req), op, resource);
  return false;
}

}  // namespace

bool authorized(BrokerContext& ctx, const protocol::Request& req, acl::Operation op,
                const acl::Resource& resource) {
  return !ctx.authorizer || checked(ctx, req, op, resource);
}

int16_t authorization_failed(acl::ResourceType type) {
  using protocol::ErrorCode;
  switch (type) {
    case acl::ResourceType::kGroup:
      return protocol::code(ErrorCode::kGroupAuthorizationFailed);
    case acl::ResourceType::kCluster:
      return protocol::code(ErrorCode::kClusterAuthorizationFailed);
    case acl::ResourceType::kTransactionalId:
      return protocol::code(ErrorCode::kTransactionalIdAuthorizationFailed);
    default:
      return protocol::code(ErrorCode::kTopicAuthorizationFailed);
  }
}

bool visible(BrokerContext& ctx, const protocol::Request& req, acl::Operation op,
             const acl::Resource& resource) {
  return !ctx.authorizer || ctx.authorizer->allows(requester(req), op, resource);
}

bool authorized_to_create_topic(BrokerContext& ctx, const protocol::Request& req,
                                const std::string& topic) {
  // As Kafka: the cluster-wide grant is asked quietly, the topic one is the
  // decision that is logged.
  return visible(ctx, req, acl::Operation::kCreate, acl::Resource::cluster()) ||
         authorized(ctx, req, acl::Operation::kCreate, acl::Resource::topic(topic));
}

bool authorized_for_idempotence(BrokerContext& ctx, const protocol::Request& req) {
  if (!ctx.authorizer || ctx.authorizer->allows_some(requester(req), acl::Operation::kWrite,
                                                     acl::ResourceType::kTopic))
    return true;
  return authorized(ctx, req, acl::Operation::kIdempotentWrite, acl::Resource::cluster());
}

bool may_manage_credentials(BrokerContext& ctx, const protocol::Request& req, acl::Operation op) {
  if (ctx.authorizer) return authorized(ctx, req, op, acl::Resource::cluster());
  return req.session && security::may_manage_credentials(ctx.options, *req.session);
}

}  // namespace sluice::broker::handlers
