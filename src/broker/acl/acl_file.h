// The text form of the ACL file, `<data dir>/acls` (docs/formats/acls.md): a
// version line, then one ACL per line as seven tab-separated fields in Kafka's
// spellings. Strings are escaped so any name round-trips.
//
// Decoding refuses anything it does not fully understand (a newer version, a
// malformed line, an invalid ACL) rather than drop rules: an authorizer that
// silently lost a DENY would open what an operator closed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "broker/acl/acl_model.h"

namespace sluice::broker::acl {

inline constexpr int kAclFileVersion = 1;

std::string encode_acl_file(const std::vector<AclBinding>& acls);

// Throws std::runtime_error naming `source`, the line and the reason.
std::vector<AclBinding> decode_acl_file(std::string_view text, const std::string& source);

}  // namespace sluice::broker::acl
