// DeleteTopics: by name (v0-v5, and v6 with a name), or by topic id (v6). Each
// answer names the topic's id from v6; an id that names no topic is
// UNKNOWN_TOPIC_ID, and the delete of an id never takes a topic re-created
// under the same name meanwhile (TopicStore::delete_topic checks the id).
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/topic_lookup.h"
#include "broker/protocol/messages/topics.h"

namespace sluice::broker::handlers {
namespace {

using protocol::DeleteTopicsResponse;
using protocol::ErrorCode;

DeleteTopicsResponse::Result failed(DeleteTopicsResponse::Result r, int16_t error,
                                    std::string message) {
  r.error_code = error;
  r.error_message = std::move(message);
  return r;
}

// `id` set: delete the topic only while it still has that id.
DeleteTopicsResponse::Result delete_one(BrokerContext& ctx, const protocol::Request& req,
                                        const std::string& name, std::optional<Uuid> id) {
  DeleteTopicsResponse::Result r;
  r.name = name;
  if (!authorized(ctx, req, acl::Operation::kDelete, acl::Resource::topic(name))) {
    if (id) r.name.reset();  // asked by id: the name stays hidden from whoever may not delete it
    return failed(std::move(r), authorization_failed(acl::ResourceType::kTopic),
                  "deleting a topic needs DELETE on it");
  }
  if (auto info = ctx.topics.describe(name)) r.topic_id = info->id;
  StoreResult res = ctx.topics.delete_topic(name, id);
  ctx.producers.forget(name);
  r.error_code = protocol::code(to_error(res.status));
  if (res.status != StoreStatus::kOk) r.error_message = res.message;
  return r;
}

DeleteTopicsResponse::Result delete_by_id(BrokerContext& ctx, const protocol::Request& req,
                                          const Uuid& id) {
  auto info = ctx.topics.describe(id);
  if (!info) {
    DeleteTopicsResponse::Result r;
    r.topic_id = id;
    return failed(std::move(r), protocol::code(ErrorCode::kUnknownTopicId),
                  "no topic has id " + id.to_string());
  }
  auto r = delete_one(ctx, req, info->name, id);
  r.topic_id = id;
  return r;
}

DeleteTopicsResponse::Result delete_v6(BrokerContext& ctx, const protocol::Request& req,
                                       const protocol::DeleteTopicsRequest::Topic& t) {
  bool by_id = !t.topic_id.is_zero();
  if (t.name && by_id) {
    DeleteTopicsResponse::Result r;
    r.name = t.name;
    r.topic_id = t.topic_id;
    return failed(std::move(r), protocol::code(ErrorCode::kInvalidRequest),
                  "give a topic's name or its id, not both");
  }
  if (by_id) return delete_by_id(ctx, req, t.topic_id);
  if (t.name) return delete_one(ctx, req, *t.name, std::nullopt);
  return failed({}, protocol::code(ErrorCode::kInvalidRequest),
                "a topic to delete needs a name or an id");
}

}  // namespace

std::optional<Bytes> delete_topics(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::DeleteTopicsRequest>(
      req, [&](const protocol::DeleteTopicsRequest& in) {
        DeleteTopicsResponse resp;
        for (const auto& t : in.topics) resp.responses.push_back(delete_v6(ctx, req, t));
        for (const auto& name : in.topic_names)
          resp.responses.push_back(delete_one(ctx, req, name, std::nullopt));
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
