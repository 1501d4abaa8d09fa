// DeleteRecords: raises a partition's log start offset; -1 means "up to the
// high watermark". Whole segments below the new start are removed. A start
// offset the disk refuses to record is answered KAFKA_STORAGE_ERROR.
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/errors.h"
#include "broker/protocol/messages/admin.h"
#include "broker/storage/storage_error.h"

namespace sluice::broker::handlers {

std::optional<Bytes> delete_records(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::DeleteRecordsRequest>(
      req, [&](const protocol::DeleteRecordsRequest& in) {
        protocol::DeleteRecordsResponse resp;
        for (const auto& topic : in.topics) {
          auto& t = resp.topics.emplace_back();
          t.name = topic.name;
          bool allowed =
              authorized(ctx, req, acl::Operation::kDelete, acl::Resource::topic(topic.name));
          for (const auto& p : topic.partitions) {
            auto& out = t.partitions.emplace_back();
            out.index = p.index;
            auto log = allowed ? ctx.topics.partition(topic.name, p.index) : nullptr;
            if (!log) {
              out.error_code = allowed
                                   ? protocol::code(protocol::ErrorCode::kUnknownTopicOrPartition)
                                   : authorization_failed(acl::ResourceType::kTopic);
              continue;
            }
            std::optional<int64_t> low;
            try {
              low = log->delete_records_before(p.offset);
            } catch (const StorageError&) {  // the start-offset file cannot be replaced
              out.error_code = protocol::code(protocol::ErrorCode::kKafkaStorageError);
              continue;
            }
            if (low) {
              out.low_watermark = *low;
            } else {
              out.error_code = protocol::code(protocol::ErrorCode::kOffsetOutOfRange);
            }
          }
        }
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
