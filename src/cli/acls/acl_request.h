// What `sluice acls add|list|delete` asks for, from flags shaped like
// kafka-acls.sh: the ACLs to add (every resource × principal × host ×
// operation, as kafka-acls expands them) and the filters that select ACLs to
// list or delete. Pure: no broker, no network; tests/unit/cli_acl_request_test.cc.
#pragma once

#include <string>
#include <vector>

#include "broker/acl/acl_model.h"
#include "kafka/types.h"

namespace sluice::cli {

struct AclFlags {
  std::vector<std::string> allow_principals;
  std::vector<std::string> deny_principals;
  std::vector<std::string> allow_hosts;  // default: every host (*)
  std::vector<std::string> deny_hosts;
  std::vector<std::string> operations;  // default: ALL when adding, any when listing/deleting
  std::vector<std::string> topics;
  std::vector<std::string> groups;
  std::vector<std::string> transactional_ids;
  bool cluster = false;
  std::string pattern_type = "literal";  // --resource-pattern-type
  std::vector<std::string> principals;   // list/delete: --principal
  std::vector<std::string> hosts;        // list/delete: --host
};

// Throws std::invalid_argument naming the flag when one is missing or wrong.
std::vector<broker::acl::AclBinding> acls_to_add(const AclFlags& f);
// `require_resource`: delete insists on one (as kafka-acls --remove), list does not.
std::vector<broker::acl::AclFilter> acl_filters(const AclFlags& f, bool require_resource);

kafka::AclEntry to_entry(const broker::acl::AclBinding& b);
kafka::AclEntryFilter to_entry_filter(const broker::acl::AclFilter& f);
broker::acl::AclBinding from_entry(const kafka::AclEntry& e);

}  // namespace sluice::cli
