// Kafka's super.users: principals ("User:NAME") allowed everything. With the ACL
// authorizer on, managing SCRAM credentials needs ALTER (DESCRIBE to list) on the
// cluster like any other cluster operation; without it, only super users may on
// a SASL listener, and on a PLAINTEXT listener nobody is authenticated, so it
// stays open there (docs/security.md).
#pragma once

#include <set>
#include <string>

#include "broker/broker_context.h"
#include "broker/server/session.h"

namespace sluice::broker::security {

// "User:a; User:b" -> {"User:a", "User:b"} (blanks around entries ignored).
// Throws std::invalid_argument naming an entry that is not of the form TYPE:NAME.
std::set<std::string> parse_super_users(const std::string& list);

bool is_super_user(const BrokerOptions& options, const Session& session);

// Describe/AlterUserScramCredentials: anyone on a PLAINTEXT listener, super users on SASL.
bool may_manage_credentials(const BrokerOptions& options, const Session& session);

}  // namespace sluice::broker::security
