// Kafka's SCRAM credential administration (KIP-554) over the credential store:
// what Describe/AlterUserScramCredentials answer, with Kafka's per-user error
// codes, so kafka-configs.sh and librdkafka's admin API behave as against Kafka.
//
// Alter is all-or-nothing per user: if any change for a user is refused, none
// of that user's changes is applied; other users' changes are.
#pragma once

#include "broker/protocol/messages/scram_credentials.h"
#include "broker/security/scram_credential_store.h"

namespace sluice::broker::security {

protocol::DescribeUserScramCredentialsResponse describe_scram_credentials(
    const ScramCredentialStore& store, const protocol::DescribeUserScramCredentialsRequest& in);

protocol::AlterUserScramCredentialsResponse alter_scram_credentials(
    ScramCredentialStore& store, const protocol::AlterUserScramCredentialsRequest& in);

}  // namespace sluice::broker::security
