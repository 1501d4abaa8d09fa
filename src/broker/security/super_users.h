// Kafka's super.users: principals ("User:NAME") allowed everything. Until the
// ACL authorizer arrives they are the only ones who may manage SCRAM
// credentials on a SASL listener; on a PLAINTEXT listener nobody is
// authenticated, so credential management stays open there (docs/security.md).
#pragma once

#include <string>
#include <vector>

#include "broker/broker_context.h"
#include "broker/server/session.h"

namespace sluice::broker::security {

// "User:a;User:b" -> {"User:a", "User:b"}. Throws std::invalid_argument naming
// an entry that is not of the form TYPE:NAME.
std::vector<std::string> parse_super_users(const std::string& list);

bool is_super_user(const BrokerOptions& options, const Session& session);

// Describe/AlterUserScramCredentials: anyone on a PLAINTEXT listener, super users on SASL.
bool may_manage_credentials(const BrokerOptions& options, const Session& session);

}  // namespace sluice::broker::security
