// DescribeAcls: the ACLs a filter selects, grouped by resource pattern as
// Kafka answers. Needs DESCRIBE on the cluster.
#include "broker/handlers/acl_wire.h"
#include "broker/handlers/handlers.h"

namespace sluice::broker::handlers {
namespace {

using protocol::DescribeAclsResponse;

void add(DescribeAclsResponse& resp, const acl::AclBinding& b) {
  const acl::ResourcePattern& p = b.pattern;
  if (resp.resources.empty() || resp.resources.back().resource_type != int8_t(p.type) ||
      resp.resources.back().resource_name != p.name ||
      resp.resources.back().pattern_type != int8_t(p.pattern)) {
    resp.resources.push_back({int8_t(p.type), p.name, int8_t(p.pattern), {}});
  }
  resp.resources.back().acls.push_back(
      {b.entry.principal, b.entry.host, int8_t(b.entry.operation), int8_t(b.entry.permission)});
}

}  // namespace

std::optional<Bytes> describe_acls(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::DescribeAclsRequest>(
      req, [&](const protocol::DescribeAclsRequest& in) {
        DescribeAclsResponse resp;
        AclGate gate = acl_gate(ctx, req, acl::Operation::kDescribe);
        acl::AclFilter filter = to_filter(in.filter);
        if (gate.error == protocol::ErrorCode::kNone) {
          if (auto why = filter.invalid_reason())
            gate = {protocol::ErrorCode::kInvalidRequest, why};
        }
        resp.error_code = protocol::code(gate.error);
        resp.error_message = gate.message;
        if (gate.error != protocol::ErrorCode::kNone) return std::optional(resp);
        // The store keeps its ACLs sorted by pattern, so equal patterns are adjacent.
        for (const acl::AclBinding& b : ctx.authorizer->store().list(filter)) add(resp, b);
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
