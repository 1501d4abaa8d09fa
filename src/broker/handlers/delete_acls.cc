// DeleteAcls: per filter, the ACLs it matched and removed; every removal is
// on disk before the answer. Needs ALTER on the cluster.
#include <stdexcept>

#include "broker/handlers/acl_wire.h"
#include "broker/handlers/handlers.h"
#include "common/log.h"

namespace sluice::broker::handlers {

using protocol::DeleteAclsResponse;

std::optional<Bytes> delete_acls(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::DeleteAclsRequest>(req, [&](const protocol::DeleteAclsRequest&
                                                                   in) {
    DeleteAclsResponse resp;
    AclGate gate = acl_gate(ctx, req, acl::Operation::kAlter);
    std::vector<acl::AclFilter> filters;
    std::vector<size_t> result_of;  // index in resp.filter_results of filters[i]
    for (const auto& f : in.filters) {
      auto& r = resp.filter_results.emplace_back();
      acl::AclFilter filter = to_filter(f);
      auto why = gate.error == protocol::ErrorCode::kNone ? filter.invalid_reason() : std::nullopt;
      r.error_code = protocol::code(why ? protocol::ErrorCode::kInvalidRequest : gate.error);
      r.error_message = why ? why : gate.message;
      if (r.error_code != 0) continue;
      filters.push_back(std::move(filter));
      result_of.push_back(resp.filter_results.size() - 1);
    }
    if (filters.empty()) return std::optional(resp);
    try {
      auto removed = ctx.authorizer->store().remove(filters);
      for (size_t i = 0; i < removed.size(); ++i) {
        for (const auto& b : removed[i]) {
          log::info("broker", "ACL deleted: {}", acl::describe(b));
          resp.filter_results[result_of[i]].matching_acls.push_back({0, std::nullopt, to_data(b)});
        }
      }
    } catch (const std::exception& e) {
      for (size_t i : result_of) {
        resp.filter_results[i].error_code =
            protocol::code(protocol::ErrorCode::kUnknownServerError);
        resp.filter_results[i].error_message = std::string("could not store the ACLs: ") + e.what();
      }
    }
    return std::optional(resp);
  });
}

}  // namespace sluice::broker::handlers
