// Finding a topic for a request, creating it first when auto-creation applies.
// Shared by Metadata and Produce, the two APIs that may auto-create.
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

// Maps a storage outcome to the protocol's error code.
protocol::ErrorCode to_error(StoreStatus status);

}  // namespace sluice::broker::handlers
