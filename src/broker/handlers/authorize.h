// The one authorization line a handler gains: whether the request's principal
// (from its session; User:ANONYMOUS without one) may perform an operation on a
// resource. Always true when the broker runs without an authorizer. A refusal
// is counted and logged (acl/denials.h); the handler answers Kafka's
// *_AUTHORIZATION_FAILED code for the resource's type.
//
// Which operation each API needs follows Kafka's KafkaApis (docs/security.md
// has the table).
#pragma once

#include <optional>

#include "broker/acl/acl_model.h"
#include "broker/broker_context.h"
#include "broker/protocol/request.h"

namespace sluice::broker::handlers {

bool authorized(BrokerContext& ctx, const protocol::Request& req, acl::Operation op,
                const acl::Resource& resource);

// Kafka's code for a refusal on a resource of `type`: TOPIC_AUTHORIZATION_FAILED,
// GROUP_AUTHORIZATION_FAILED, CLUSTER_AUTHORIZATION_FAILED or
// TRANSACTIONAL_ID_AUTHORIZATION_FAILED.
int16_t authorization_failed(acl::ResourceType type);

// A response whose only content is the refusal: for the group APIs, whose
// answer is one error code.
template <typename Response>
std::optional<Response> refused(acl::ResourceType type) {
  Response r;
  r.error_code = authorization_failed(type);
  return r;
}

// For filtering what a listing shows (Metadata for every topic, ListGroups):
// a refusal there hides the resource without counting or logging a denial.
bool visible(BrokerContext& ctx, const protocol::Request& req, acl::Operation op,
             const acl::Resource& resource);

// CREATE on the cluster or on the topic: creating a topic (CreateTopics,
// auto-creation on Metadata or Produce).
bool authorized_to_create_topic(BrokerContext& ctx, const protocol::Request& req,
                                const std::string& topic);

// IDEMPOTENT_WRITE on the cluster or WRITE on some topic (KIP-679): an idempotent
// producer id from InitProducerId.
bool authorized_for_idempotence(BrokerContext& ctx, const protocol::Request& req);

// Describe/AlterUserScramCredentials: with the authorizer on, `op` (DESCRIBE or
// ALTER) on the cluster, as Kafka asks; without it, super users on a SASL
// listener and anyone on PLAINTEXT (security/super_users.h).
bool may_manage_credentials(BrokerContext& ctx, const protocol::Request& req, acl::Operation op);

}  // namespace sluice::broker::handlers
