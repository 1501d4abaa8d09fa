// Between the ACL APIs' wire fields (protocol/messages/acls.h) and the ACL
// model (acl/acl_model.h), plus the gate all three APIs share. Enum values are
// Kafka's on both sides, so the conversion only names them.
#pragma once

#include <optional>
#include <string>

#include "broker/acl/acl_model.h"
#include "broker/broker_context.h"
#include "broker/protocol/errors.h"
#include "broker/protocol/messages/acls.h"
#include "broker/protocol/request.h"

namespace sluice::broker::handlers {

acl::AclFilter to_filter(const protocol::AclFilterData& f);
acl::AclBinding to_binding(const protocol::AclData& a);
protocol::AclData to_data(const acl::AclBinding& b);

// Whether the ACL APIs may run: SECURITY_DISABLED without an authorizer (as
// Kafka answers), CLUSTER_AUTHORIZATION_FAILED without `op` on the cluster.
struct AclGate {
  protocol::ErrorCode error = protocol::ErrorCode::kNone;
  std::optional<std::string> message;
};
AclGate acl_gate(BrokerContext& ctx, const protocol::Request& req, acl::Operation op);

}  // namespace sluice::broker::handlers
