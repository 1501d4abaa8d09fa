// Produce: validate every batch of a partition before appending any of them, so
// a partition's answer is all-or-nothing; then append and wake waiting fetches.
#include "broker/protocol/messages/produce.h"

#include <fmt/format.h>

#include "broker/handlers/handlers.h"
#include "broker/handlers/topic_lookup.h"
#include "broker/protocol/errors.h"
#include "broker/storage/legacy_message_set.h"
#include "broker/storage/partition_log.h"
#include "broker/storage/record_batch.h"
#include "common/log.h"

namespace sluice::broker::handlers {
namespace {

using protocol::ErrorCode;
using protocol::ProduceResponse;

struct Rejection {
  ErrorCode error = ErrorCode::kNone;
  std::string message;
};

// Splits `records` into its batches and checks each; fills `batches` on success.
Rejection check_batches(std::span<uint8_t> records, const LogConfig& config,
                        std::vector<std::span<uint8_t>>& batches) {
  size_t pos = 0;
  while (pos < records.size()) {
    auto header = parse_batch_header(records.subspan(pos));
    if (!header || header->batch_length < 0 || header->total_size() > records.size() - pos) {
      return {ErrorCode::kCorruptMessage,
              "record set ends inside a batch (truncated or bad length)"};
    }
    auto batch = records.subspan(pos, header->total_size());
    if (int64_t(batch.size()) > config.max_message_bytes) {
      return {ErrorCode::kMessageTooLarge,
              fmt::format("batch of {} bytes exceeds max.message.bytes={}", batch.size(),
                          config.max_message_bytes)};
    }
    BatchCheck check = validate_batch(batch);
    if (!check.ok) return {ErrorCode::kCorruptMessage, check.reason};
    if (header->is_transactional() || header->is_control()) {
      return {ErrorCode::kUnsupportedForMessageFormat,
              "transactional batches are not supported by this broker"};
    }
    batches.push_back(batch);
    pos += batch.size();
  }
  if (batches.empty())
    return {ErrorCode::kCorruptMessage, "produce request carried no record batch"};
  return {};
}

struct Appended {
  int64_t base_offset = -1;
  bool new_data = false;  // false for a duplicate answered from producer state
  ErrorCode error = ErrorCode::kNone;
  std::string message;
};

// Appends one batch; an idempotent producer's batch goes through its sequence
// check first, under the partition's producer-state lock.
Appended append_batch(BrokerContext& ctx, const std::string& topic, int32_t partition,
                      PartitionLog& log, std::span<uint8_t> batch) {
  BatchHeader h = *parse_batch_header(batch);
  if (h.producer_id < 0) return {log.append(batch).base_offset, true};
  auto slot = ctx.producers.slot(topic, partition);
  std::lock_guard lock(slot->mu);
  ProducerRegistry::ensure_loaded(*slot, log);
  SequenceCheck check = slot->table.check(h);
  switch (check.verdict) {
    case SequenceVerdict::kDuplicate:
      return {check.duplicate_base_offset, false};
    case SequenceVerdict::kOutOfOrder:
      return {-1, false, ErrorCode::kOutOfOrderSequenceNumber, check.reason};
    case SequenceVerdict::kFenced:
      return {-1, false, ErrorCode::kInvalidProducerEpoch, check.reason};
    case SequenceVerdict::kAppend:
      break;
  }
  h.base_offset = log.append(batch).base_offset;
  slot->table.record(h);
  return {h.base_offset, true};
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
  // Old producers send legacy message sets (magic 0/1, same byte position as v2's magic); they are
  // converted once, here, to a magic-2 batch so storage and every fetcher deal with one format
  // only.
  Bytes converted;
  std::span<uint8_t> records = in.records.view;
  if (records.size() > kMagicOffset && int8_t(records[kMagicOffset]) < 2) {
    auto conv = convert_legacy_message_set(records);
    if (!conv.ok) {
      out.error_code = protocol::code(ErrorCode::kCorruptMessage);
      out.error_message = conv.error;
      return out;
    }
    converted = std::move(conv.batch);
    records = converted;
  }
  std::vector<std::span<uint8_t>> batches;
  Rejection r = check_batches(records, log->config(), batches);
  if (r.error != ErrorCode::kNone) {
    log::warn("broker", "rejected produce to {}-{}: {}", topic, in.index, r.message);
    out.error_code = protocol::code(r.error);
    out.error_message = r.message;
    return out;
  }
  for (size_t i = 0; i < batches.size(); ++i) {
    Appended a = append_batch(ctx, topic, in.index, *log, batches[i]);
    if (a.error != ErrorCode::kNone) {
      log::warn("broker", "rejected produce to {}-{}: {}", topic, in.index, a.message);
      out.error_code = protocol::code(a.error);
      out.error_message = a.message;
      return out;
    }
    if (i == 0) out.base_offset = a.base_offset;
    appended = appended || a.new_data;
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
          auto found = find_or_create_topic(ctx, topic.name, true);
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
