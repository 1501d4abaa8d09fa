// Produce: translates. Storage prepares a partition's batches (all-or-nothing),
// the producers subsystem writes them with the idempotence check, and this
// handler maps their verdicts to Kafka error codes and wakes waiting fetches.
// A write the disk refuses is answered KAFKA_STORAGE_ERROR for that partition
// (retriable), never by closing the connection.
//
// Every partition of the request is written first and committed after, each
// once (PartitionLog::commit): with flush `always` that is one fdatasync per
// partition per request at most, shared with concurrent requests to the same
// partition, and the device writes of all partitions are started before the
// first commit waits, so their syncs overlap. No partition is acknowledged
// before its commit returned. The two steps are apart (produce_write), so the
// server can write a connection's next Produce while this one waits.
//
// From v13 a topic is named by its id (KIP-516): an unknown id is
// UNKNOWN_TOPIC_ID and never auto-creates (a new topic has no id to name it by).
#include "broker/protocol/messages/produce.h"

#include <algorithm>
#include <vector>

#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/topic_lookup.h"
#include "broker/handlers/transactional_produce.h"
#include "broker/producers/sequenced_append.h"
#include "broker/protocol/errors.h"
#include "broker/storage/incoming_batches.h"
#include "broker/storage/partition_log.h"
#include "broker/storage/record_batch.h"
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
    case IncomingRejection::kInvalidTimestamp:
      return ErrorCode::kInvalidTimestamp;
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

void answer_storage_failure(ProduceResponse::Partition& out, const std::exception& e,
                            bool retired) {
  out.base_offset = -1;
  if (retired) {
    out.error_code = protocol::code(ErrorCode::kUnknownTopicOrPartition);
    return;
  }
  // Logged once per episode by the log itself; KAFKA_STORAGE_ERROR is retriable.
  out.error_code = protocol::code(ErrorCode::kKafkaStorageError);
  out.error_message = e.what();
}

// A partition written and not yet committed: where its answer is, and up to where.
struct PendingCommit {
  size_t topic = 0;
  size_t partition = 0;
  std::shared_ptr<PartitionLog> log;
  int64_t commit_to = -1;
};

ProduceResponse::Partition write_partition(BrokerContext& ctx, const std::string& topic,
                                           protocol::ProduceRequest::Partition& in,
                                           const protocol::NullableString& transactional_id,
                                           PendingCommit& pending) {
  ProduceResponse::Partition out;
  out.index = in.index;
  auto log = ctx.topics.partition(topic, in.index);
  pending.log = log;
  if (!log) {
    out.error_code = protocol::code(ErrorCode::kUnknownTopicOrPartition);
    return out;
  }
  IncomingBatches incoming = prepare_incoming_batches(in.records.view, log->config());
  if (!incoming.ok()) {
    refuse(out, topic, error_for(incoming.rejection), incoming.reason);
    return out;
  }
  const TransactionGate gate = transaction_gate(ctx, transactional_id, topic, in.index);
  for (size_t i = 0; i < incoming.batches.size(); ++i) {
    SequencedAppend a;
    try {
      a = append_with_sequence_check(ctx.producers, topic, in.index, *log, incoming.batches[i],
                                     gate);
    } catch (const StorageError& e) {
      answer_storage_failure(out, e, false);
      return out;
    } catch (const PartitionRetired& e) {
      answer_storage_failure(out, e, true);
      return out;
    }
    if (a.gate_error != 0) {
      refuse(out, topic, ErrorCode(a.gate_error), a.reason);
      return out;
    }
    if (ErrorCode error = error_for(a.verdict); error != ErrorCode::kNone) {
      refuse(out, topic, error, a.reason);
      return out;
    }
    if (i == 0) out.base_offset = a.base_offset;
    // LogAppendTime: the log stamped the batch with the broker's clock (Kafka answers it).
    if (auto h = parse_batch_header(incoming.batches[i]);
        h && h->is_log_append_time() && a.verdict == SequenceVerdict::kAppend) {
      out.log_append_time_ms = h->max_timestamp;
    }
    pending.commit_to = std::max(pending.commit_to, a.commit_to);
  }
  return out;
}

// Commits every written partition; an answer is final only after its commit.
// Returns whether any new data became visible.
bool commit_partitions(std::vector<PendingCommit>& pending, ProduceResponse& resp) {
  for (const PendingCommit& p : pending) p.log->start_writeback();
  bool visible = false;
  for (const PendingCommit& p : pending) {
    ProduceResponse::Partition& out = resp.responses[p.topic].partitions[p.partition];
    try {
      p.log->commit(p.commit_to);
      visible = true;
    } catch (const StorageError& e) {
      answer_storage_failure(out, e, false);
      continue;
    } catch (const PartitionRetired& e) {
      answer_storage_failure(out, e, true);
      continue;
    }
    out.log_start_offset = p.log->log_start_offset();
  }
  return visible;
}

// The topic a request writes to: named (by id from v13), WRITE allowed, and found or
// auto-created.
TopicLookup target_topic(BrokerContext& ctx, const protocol::Request& req, const TopicName& named) {
  if (named.error != ErrorCode::kNone) return {std::nullopt, named.error};
  if (!authorized(ctx, req, acl::Operation::kWrite, acl::Resource::topic(named.name)))
    return {std::nullopt, ErrorCode::kTopicAuthorizationFailed};
  return find_or_create_topic(ctx, req, named.name, true);
}

}  // namespace

ProduceWritten produce_write(BrokerContext& ctx, const protocol::Request& req) {
  protocol::ProduceRequest in = protocol::decode_body<protocol::ProduceRequest>(req);
  ProduceResponse resp;
  bool valid_acks = in.acks == 0 || in.acks == 1 || in.acks == -1;
  std::vector<PendingCommit> pending;
  const bool by_id = req.header.api_version >= protocol::ProduceRequest::kFirstTopicIdVersion;
  for (auto& topic : in.topics) {
    auto& t = resp.responses.emplace_back();
    t.name = topic.name;
    t.topic_id = topic.topic_id;
    TopicName named = name_topic(ctx, topic.name, topic.topic_id, by_id);
    TopicLookup found = target_topic(ctx, req, named);
    for (auto& part : topic.partitions) {
      if (!valid_acks || !found.info || part.records.null) {
        auto& p = t.partitions.emplace_back();
        p.index = part.index;
        p.error_code = protocol::code(!valid_acks   ? ErrorCode::kInvalidRequiredAcks
                                      : !found.info ? found.error
                                                    : ErrorCode::kCorruptMessage);
        continue;
      }
      PendingCommit p{resp.responses.size() - 1, t.partitions.size(), nullptr, -1};
      t.partitions.push_back(write_partition(ctx, named.name, part, in.transactional_id, p));
      if (p.commit_to >= 0) {
        pending.push_back(std::move(p));
      } else if (p.log && t.partitions.back().error_code == 0) {
        t.partitions.back().log_start_offset = p.log->log_start_offset();
      }
    }
  }
  ProduceWritten written;
  written.ready = std::all_of(pending.begin(), pending.end(),
                              [](const PendingCommit& p) { return p.log->committed(p.commit_to); });
  // Owns all it needs: the request frame may be gone when it runs.
  written.commit = [&ctx, resp = std::move(resp), pending = std::move(pending), acks = in.acks,
                    how = protocol::encoding_of(req)]() mutable -> std::optional<Bytes> {
    // acks=0 commits too: under flush `always` nothing is visible before its sync.
    if (commit_partitions(pending, resp)) ctx.data.notify();
    if (acks == 0) return std::nullopt;
    return protocol::encode_body(resp, how);
  };
  return written;
}

std::optional<Bytes> produce(BrokerContext& ctx, const protocol::Request& req) {
  return produce_write(ctx, req).commit();
}

}  // namespace sluice::broker::handlers
