// Finding a topic for a request, creating it first when auto-creation applies
// (shared by Metadata and Produce, the two APIs that may auto-create), and
// naming a topic a request gives by id (Fetch and Produce from v13).
#pragma once

#include <optional>
#include <string>

#include "broker/broker_context.h"
#include "broker/protocol/errors.h"
#include "broker/protocol/request.h"

namespace sluice::broker::handlers {

struct TopicLookup {
  std::optional<TopicStore::TopicInfo> info;
  protocol::ErrorCode error = protocol::ErrorCode::kNone;
};

// `client_allows` is the request's own auto-create flag (true where the API has none).
// Creating needs CREATE on the cluster or the topic (TOPIC_AUTHORIZATION_FAILED).
TopicLookup find_or_create_topic(BrokerContext& ctx, const protocol::Request& req,
                                 const std::string& name, bool client_allows);

// The name of a topic a request gives by name or, in the versions that name
// topics by id (KIP-516), by id. An id the store does not know (never was, or
// was deleted) is UNKNOWN_TOPIC_ID and no name; a name is passed through, for
// the caller's own lookup to find or not. An id never creates a topic.
struct TopicName {
  std::string name;
  protocol::ErrorCode error = protocol::ErrorCode::kNone;
};
TopicName name_topic(BrokerContext& ctx, const std::string& name, const Uuid& id, bool by_id);

// Maps a storage outcome to the protocol's error code.
protocol::ErrorCode to_error(StoreStatus status);

}  // namespace sluice::broker::handlers
