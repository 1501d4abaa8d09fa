// Metadata: this broker leads every partition. Unknown topics are created on
// request when auto-creation is on (broker option and, from v4, the client's flag).
// From v12 a requested topic may be named by its id instead; an id names an
// existing topic or nothing (UNKNOWN_TOPIC_ID), never one to create.
#include "broker/protocol/messages/metadata.h"

#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/topic_lookup.h"
#include "broker/protocol/errors.h"

namespace sluice::broker::handlers {
namespace {

using protocol::ErrorCode;
using protocol::MetadataResponse;

MetadataResponse::Topic describe_topic(const TopicStore::TopicInfo& info, int32_t node) {
  MetadataResponse::Topic t;
  t.name = info.name;
  t.topic_id = info.id;
  for (int32_t p = 0; p < info.partitions; ++p) {
    MetadataResponse::Partition part;
    part.partition_index = p;
    part.leader_id = node;
    part.replica_nodes = {node};
    part.isr_nodes = {node};
    t.partitions.push_back(std::move(part));
  }
  return t;
}

MetadataResponse::Topic lookup(BrokerContext& ctx, const protocol::Request& req,
                               const std::string& name, bool allow_create) {
  auto found = authorized(ctx, req, acl::Operation::kDescribe, acl::Resource::topic(name))
                   ? find_or_create_topic(ctx, req, name, allow_create)
                   : TopicLookup{std::nullopt, ErrorCode::kTopicAuthorizationFailed};
  if (found.info) return describe_topic(*found.info, ctx.options.node_id);
  MetadataResponse::Topic t;
  t.name = name;
  t.error_code = protocol::code(found.error);
  return t;
}

// The answer for a topic asked for by id hides the name unless the caller may
// describe the topic: an id must not reveal what it names.
MetadataResponse::Topic lookup_by_id(BrokerContext& ctx, const protocol::Request& req,
                                     const Uuid& id) {
  MetadataResponse::Topic t;
  t.name.reset();
  t.topic_id = id;
  auto info = ctx.topics.describe(id);
  if (!info) {
    t.error_code = protocol::code(ErrorCode::kUnknownTopicId);
  } else if (!authorized(ctx, req, acl::Operation::kDescribe, acl::Resource::topic(info->name))) {
    t.error_code = protocol::code(ErrorCode::kTopicAuthorizationFailed);
  } else {
    t = describe_topic(*info, ctx.options.node_id);
  }
  return t;
}

MetadataResponse::Topic requested(BrokerContext& ctx, const protocol::Request& req,
                                  const protocol::MetadataRequest::Topic& topic,
                                  bool allow_create) {
  const int16_t version = req.header.api_version;
  // v10 and v11 carry the id but Kafka's brokers never served it; v12 does.
  if (version >= 12 && !topic.topic_id.is_zero()) return lookup_by_id(ctx, req, topic.topic_id);
  if (topic.name) return lookup(ctx, req, *topic.name, allow_create);
  // Before v10 the name is not nullable: refusing the frame keeps those versions as they were.
  if (version < 10) throw DecodeError("Metadata v" + std::to_string(version) + ": null topic name");
  MetadataResponse::Topic t;
  t.name =
      version >= 12 ? protocol::NullableString() : protocol::NullableString("");  // v12+: nullable
  t.error_code = protocol::code(ErrorCode::kInvalidRequest);
  return t;
}

}  // namespace

std::optional<Bytes> metadata(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::MetadataRequest>(req, [&](const protocol::MetadataRequest& in) {
    MetadataResponse resp;
    const ListenerConfig& l = ctx.options.listener(req.session ? req.session->listener : "");
    resp.brokers.push_back(
        {ctx.options.node_id, l.advertised_host, l.advertised_port, std::nullopt});
    resp.cluster_id = ctx.options.cluster_id;
    resp.controller_id = ctx.options.node_id;
    bool all = !in.topics || (req.header.api_version == 0 && in.topics->empty());
    if (all) {
      for (const auto& info : ctx.topics.list()) {
        if (visible(ctx, req, acl::Operation::kDescribe, acl::Resource::topic(info.name)))
          resp.topics.push_back(describe_topic(info, ctx.options.node_id));
      }
    } else {
      for (const auto& t : *in.topics)
        resp.topics.push_back(requested(ctx, req, t, in.allow_auto_topic_creation));
    }
    return std::optional(resp);
  });
}

}  // namespace sluice::broker::handlers
