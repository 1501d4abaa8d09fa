// Produce: translates. Storage prepares a partition's batches (all-or-nothing),
// the producers subsystem appends them with the idempotence check, and this
// handler maps their verdicts to Kafka error codes and wakes waiting fetches.
// A write the disk refuses is answered KAFKA_STORAGE_ERROR for that partition
// (retriable), never by closing the connection.
#include "broker/protocol/messages/produce.h"

#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/topic_lookup.h"
#include "broker/producers/sequenced_append.h"
#include "broker/protocol/errors.h"
#include "broker/storage/incoming_batches.h"
#include "broker/storage/partition_log.h"
#include "broker/storage/storage_error.h"
#include "common/log.h"

namespace sluice::broker::handlers {
namespace {

using protocol::ErrorCode;
using protocol::ProduceResponse;

ErrorCode error_for(IncomingRejection why) {
  switch (why) {
    case IncomingRejection::kNone:
      return ErrorCode::kNone;
    case IncomingRejection::kCorrupt:
      return ErrorCode::kCorruptMessage;
    case IncomingRejection::kInvalidRecord:
      return ErrorCode::kInvalidRecord;
    case IncomingRejection::kTooLarge:
      return ErrorCode::kMessageTooLarge;
    case IncomingRejection::kUnsupported:
      return ErrorCode::kUnsupportedForMessageFormat;
  }
  return ErrorCode::kCorruptMessage;
}

ErrorCode error_for(SequenceVerdict verdict) {
  switch (verdict) {
    case SequenceVerdict::kAppend:
    case SequenceVerdict::kDuplicate:
      return ErrorCode::kNone;
    case SequenceVerdict::kOutOfOrder:
      return ErrorCode::kOutOfOrderSequenceNumber;
    case SequenceVerdict::kFenced:
      return ErrorCode::kInvalidProducerEpoch;
    case SequenceVerdict::kUnknownProducer:
      return ErrorCode::kUnknownProducerId;
  }
  return ErrorCode::kUnknownServerError;
}

void refuse(ProduceResponse::Partition& out, const std::string& topic, ErrorCode error,
            const std::string& message) {
  log::warn("broker", "rejected produce to {}-{}: {}", topic, out.index, message);
  out.error_code = protocol::code(error);
  out.error_message = message;
}

ProduceResponse::Partition append_partition(BrokerContext& ctx, const std::string& topic,
                                            protocol::ProduceRequest::Partition& in,
                                            bool& appended) {
  ProduceResponse::Partition out;
  out.index = in.index;
  auto log = ctx.topics.partition(topic, in.index);
  if (!log) {
    out.error_code = protocol::code(ErrorCode::kUnknownTopicOrPartition);
    return out;
  }
  IncomingBatches incoming = prepare_incoming_batches(in.records.view, log->config());
  if (!incoming.ok()) {
    refuse(out, topic, error_for(incoming.rejection), incoming.reason);
    return out;
  }
  for (size_t i = 0; i < incoming.batches.size(); ++i) {
    SequencedAppend a;
    try {
      a = append_with_sequence_check(ctx.producers, topic, in.index, *log, incoming.batches[i]);
    } catch (const StorageError& e) {
      // Logged once per episode by the log itself; KAFKA_STORAGE_ERROR is retriable.
      out.error_code = protocol::code(ErrorCode::kKafkaStorageError);
      out.error_message = e.what();
      return out;
    } catch (const PartitionRetired&) {
      out.error_code = protocol::code(ErrorCode::kUnknownTopicOrPartition);
      return out;
    }
    if (ErrorCode error = error_for(a.verdict); error != ErrorCode::kNone) {
      refuse(out, topic, error, a.reason);
      return out;
    }
    if (i == 0) out.base_offset = a.base_offset;
    appended = appended || a.verdict == SequenceVerdict::kAppend;
  }
  out.log_start_offset = log->log_start_offset();
  return out;
}

}  // namespace

std::optional<Bytes> produce(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::ProduceRequest>(
      req, [&](protocol::ProduceRequest& in) -> std::optional<ProduceResponse> {
        ProduceResponse resp;
        bool valid_acks = in.acks == 0 || in.acks == 1 || in.acks == -1;
        bool appended = false;
        for (auto& topic : in.topics) {
          auto& t = resp.responses.emplace_back();
          t.name = topic.name;
          auto found =
              authorized(ctx, req, acl::Operation::kWrite, acl::Resource::topic(topic.name))
                  ? find_or_create_topic(ctx, req, topic.name, true)
                  : TopicLookup{std::nullopt, ErrorCode::kTopicAuthorizationFailed};
          for (auto& part : topic.partitions) {
            if (!valid_acks || !found.info || part.records.null) {
              auto& p = t.partitions.emplace_back();
              p.index = part.index;
              p.error_code = protocol::code(!valid_acks   ? ErrorCode::kInvalidRequiredAcks
                                            : !found.info ? found.error
                                                          : ErrorCode::kCorruptMessage);
              continue;
            }
            t.partitions.push_back(append_partition(ctx, topic.name, part, appended));
          }
        }
        if (appended) ctx.data.notify();
        if (in.acks == 0) return std::nullopt;
        return resp;
      });
}

}  // namespace sluice::broker::handlers
