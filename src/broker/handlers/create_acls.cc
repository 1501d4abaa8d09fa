// CreateAcls: one result per creation; the valid ones are stored together,
// durably, before the answer. Needs ALTER on the cluster.
#include <stdexcept>

#include "broker/handlers/acl_wire.h"
#include "broker/handlers/handlers.h"
#include "common/log.h"

namespace sluice::broker::handlers {

std::optional<Bytes> create_acls(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::CreateAclsRequest>(
      req, [&](const protocol::CreateAclsRequest& in) {
        protocol::CreateAclsResponse resp;
        AclGate gate = acl_gate(ctx, req, acl::Operation::kAlter);
        std::vector<acl::AclBinding> valid;
        for (const auto& c : in.creations) {
          auto& r = resp.results.emplace_back();
          acl::AclBinding b = to_binding(c);
          auto why =
              gate.error == protocol::ErrorCode::kNone ? acl::invalid_reason(b) : std::nullopt;
          r.error_code = protocol::code(why ? protocol::ErrorCode::kInvalidRequest : gate.error);
          r.error_message = why ? why : gate.message;
          if (r.error_code == 0) valid.push_back(std::move(b));
        }
        if (valid.empty()) return std::optional(resp);
        try {
          ctx.authorizer->store().add(valid);
          for (const auto& b : valid) log::info("broker", "ACL added: {}", acl::describe(b));
        } catch (const std::exception& e) {
          for (auto& r : resp.results) {
            if (r.error_code != 0) continue;
            r.error_code = protocol::code(protocol::ErrorCode::kUnknownServerError);
            r.error_message = std::string("could not store the ACLs: ") + e.what();
          }
        }
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
