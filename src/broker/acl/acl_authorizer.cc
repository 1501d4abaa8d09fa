#include "broker/acl/acl_authorizer.h"

#include <algorithm>
#include <vector>

namespace sluice::broker::acl {
namespace {

bool matches_requester(const AccessEntry& e, const Requester& who) {
  return (e.principal == who.principal || e.principal == kWildcardPrincipal) &&
         (e.host == who.host || e.host == kWildcard);
}

// Whether an ALLOW for `granted` permits `wanted`.
bool implies(Operation granted, Operation wanted) {
  if (granted == wanted || granted == Operation::kAll) return true;
  switch (wanted) {
    case Operation::kDescribe:
      return granted == Operation::kRead || granted == Operation::kWrite ||
             granted == Operation::kDelete || granted == Operation::kAlter;
    case Operation::kDescribeConfigs:
      return granted == Operation::kAlterConfigs;
    default:
      return false;
  }
}

// A DENY refuses only its own operation (or every one, for ALL): DENY READ
// leaves DESCRIBE to the ALLOWs, as in Kafka.
bool denies(Operation denied, Operation wanted) {
  return denied == wanted || denied == Operation::kAll;
}

}  // namespace

Authorizer::Authorizer(AclStore& store, std::set<std::string> super_users)
    : store_(store), super_users_(std::move(super_users)) {}

bool Authorizer::is_super_user(const std::string& principal) const {
  return super_users_.count(principal) > 0;
}

bool Authorizer::allows(const Requester& who, Operation op, const Resource& resource) const {
  if (is_super_user(who.principal)) return true;
  bool allowed = false;
  for (const AclBinding& b : *store_.snapshot()) {
    if (!b.pattern.applies_to(resource) || !matches_requester(b.entry, who)) continue;
    if (b.entry.permission == Permission::kDeny && denies(b.entry.operation, op)) return false;
    if (b.entry.permission == Permission::kAllow && implies(b.entry.operation, op)) allowed = true;
  }
  return allowed;
}

bool Authorizer::allows_some(const Requester& who, Operation op, ResourceType type) const {
  if (is_super_user(who.principal)) return true;
  std::vector<ResourcePattern> denied, allowed;
  for (const AclBinding& b : *store_.snapshot()) {
    if (b.pattern.type != type || !matches_requester(b.entry, who)) continue;
    if (b.entry.permission == Permission::kDeny && denies(b.entry.operation, op))
      denied.push_back(b.pattern);
    if (b.entry.permission == Permission::kAllow && implies(b.entry.operation, op))
      allowed.push_back(b.pattern);
  }
  // A DENY covers an ALLOW when every name the ALLOW grants is also denied.
  auto covered = [&](const ResourcePattern& allow) {
    return std::any_of(denied.begin(), denied.end(), [&](const ResourcePattern& deny) {
      if (deny.pattern == PatternType::kLiteral)
        return deny.name == kWildcard ||
               (allow.pattern == PatternType::kLiteral && allow.name == deny.name);
      return allow.name != kWildcard && allow.name.starts_with(deny.name);
    });
  };
  return std::any_of(allowed.begin(), allowed.end(),
                     [&](const ResourcePattern& allow) { return !covered(allow); });
}

}  // namespace sluice::broker::acl
