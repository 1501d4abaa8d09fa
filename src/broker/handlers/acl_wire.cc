#include "broker/handlers/acl_wire.h"

#include "broker/handlers/authorize.h"

namespace sluice::broker::handlers {

acl::AclFilter to_filter(const protocol::AclFilterData& f) {
  acl::AclFilter out;
  out.type = acl::ResourceType(f.resource_type);
  out.name = f.resource_name;
  out.pattern = acl::PatternType(f.pattern_type);
  out.principal = f.principal;
  out.host = f.host;
  out.operation = acl::Operation(f.operation);
  out.permission = acl::Permission(f.permission_type);
  return out;
}

acl::AclBinding to_binding(const protocol::AclData& a) {
  return {{acl::ResourceType(a.resource_type), a.resource_name, acl::PatternType(a.pattern_type)},
          {a.principal, a.host, acl::Operation(a.operation), acl::Permission(a.permission_type)}};
}

protocol::AclData to_data(const acl::AclBinding& b) {
  return {int8_t(b.pattern.type),    b.pattern.name, int8_t(b.pattern.pattern),
          b.entry.principal,         b.entry.host,   int8_t(b.entry.operation),
          int8_t(b.entry.permission)};
}

AclGate acl_gate(BrokerContext& ctx, const protocol::Request& req, acl::Operation op) {
  if (!ctx.authorizer) {
    return {protocol::ErrorCode::kSecurityDisabled,
            "no authorizer is configured on this broker (start it with --authorizer acl)"};
  }
  if (!authorized(ctx, req, op, acl::Resource::cluster())) {
    std::string why = "cluster authorization failed: managing ACLs needs " +
                      std::string(acl::name_of(op)) +
                      " on the CLUSTER resource (kafka-cluster); a super user can grant it";
    return {protocol::ErrorCode::kClusterAuthorizationFailed, std::move(why)};
  }
  return {};
}

}  // namespace sluice::broker::handlers
