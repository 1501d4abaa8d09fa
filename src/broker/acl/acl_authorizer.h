// Decides whether a principal connected from a host may perform an operation
// on a resource, with the semantics of Kafka's StandardAuthorizer when
// allow.everyone.if.no.acl.found is false:
//
//   1. a super user may do everything;
//   2. any matching DENY for the operation (or ALL) refuses: DENY beats ALLOW;
//   3. else any matching ALLOW for the operation, for ALL, or for an operation
//      that implies it allows (DESCRIBE is implied by READ, WRITE, DELETE and
//      ALTER; DESCRIBE_CONFIGS by ALTER_CONFIGS);
//   4. else refused: no ACL means no access.
//
// An ACL matches when its pattern applies to the resource (ResourcePattern::
// applies_to), its principal is the requester's or User:*, and its host is the
// requester's or *. Decisions read a snapshot of the store and never block on
// a write. Nothing here logs or counts: see denials.h.
#pragma once

#include <set>
#include <string>

#include "broker/acl/acl_store.h"

namespace sluice::broker::acl {

struct Requester {
  std::string principal = "User:ANONYMOUS";
  std::string host;  // the peer's IP
};

class Authorizer {
 public:
  Authorizer(AclStore& store, std::set<std::string> super_users);

  bool allows(const Requester& who, Operation op, const Resource& resource) const;

  // Kafka's authorizeByResourceType (KIP-679): whether `who` may perform `op`
  // on at least one resource of `type` — some ALLOW for it that no DENY
  // covers. InitProducerId uses it: WRITE on any topic grants idempotence.
  bool allows_some(const Requester& who, Operation op, ResourceType type) const;

  bool is_super_user(const std::string& principal) const;
  AclStore& store() { return store_; }

 private:
  AclStore& store_;
  std::set<std::string> super_users_;
};

}  // namespace sluice::broker::acl
