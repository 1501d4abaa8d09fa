#include "broker/handlers/topic_lookup.h"

#include "broker/handlers/authorize.h"
#include "common/log.h"

namespace sluice::broker::handlers {

using protocol::ErrorCode;

ErrorCode to_error(StoreStatus status) {
  switch (status) {
    case StoreStatus::kOk:
      return ErrorCode::kNone;
    case StoreStatus::kTopicExists:
      return ErrorCode::kTopicAlreadyExists;
    case StoreStatus::kUnknownTopic:
      return ErrorCode::kUnknownTopicOrPartition;
    case StoreStatus::kUnknownTopicId:
      return ErrorCode::kUnknownTopicId;
    case StoreStatus::kInvalidTopicName:
      return ErrorCode::kInvalidTopicException;
    case StoreStatus::kInvalidPartitions:
      return ErrorCode::kInvalidPartitions;
    case StoreStatus::kInvalidConfig:
      return ErrorCode::kInvalidConfig;
    case StoreStatus::kIoError:
      return ErrorCode::kKafkaStorageError;
  }
  return ErrorCode::kUnknownServerError;
}

TopicName name_topic(BrokerContext& ctx, const std::string& name, const Uuid& id, bool by_id) {
  if (!by_id) return {name, ErrorCode::kNone};
  auto info = ctx.topics.describe(id);
  if (!info) return {"", ErrorCode::kUnknownTopicId};
  return {info->name, ErrorCode::kNone};
}

TopicLookup find_or_create_topic(BrokerContext& ctx, const protocol::Request& req,
                                 const std::string& name, bool client_allows) {
  if (auto info = ctx.topics.describe(name)) return {std::move(info), ErrorCode::kNone};
  if (!ctx.options.auto_create_topics || !client_allows)
    return {std::nullopt, ErrorCode::kUnknownTopicOrPartition};
  if (!authorized_to_create_topic(ctx, req, name))
    return {std::nullopt, ErrorCode::kTopicAuthorizationFailed};
  StoreResult created = ctx.topics.create_topic(name, -1, {});
  // Another request may have created it between our look and our create.
  if (created.status != StoreStatus::kOk && created.status != StoreStatus::kTopicExists) {
    log::warn("broker", "auto-creating topic '{}' failed: {}", name, created.message);
    return {std::nullopt, to_error(created.status)};
  }
  if (created.status == StoreStatus::kOk) log::info("broker", "auto-created topic '{}'", name);
  auto info = ctx.topics.describe(name);
  return {std::move(info), info ? ErrorCode::kNone : ErrorCode::kUnknownTopicOrPartition};
}

}  // namespace sluice::broker::handlers
