// ListOffsets: earliest (-2), latest (-1), the record with the largest
// timestamp (-3), earliest local (-4: every record is local here, so the
// earliest), or the first record whose timestamp is at or after the one asked
// for, found by looking inside batches. A lookup that finds no record answers
// offset -1, timestamp -1, as Kafka does. The tiered-storage lookups, latest
// tiered (-5) and earliest pending upload (-6), find nothing here, where no
// log is tiered: offset -1, timestamp -1, leader epoch -1, Kafka's answer for a
// topic without remote storage. v10's timeout is for remote reads: none here. Latest under
// read_committed is the last stable offset.
#include "broker/protocol/messages/list_offsets.h"

#include <tuple>

#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/producers/transaction_markers.h"
#include "broker/protocol/errors.h"
#include "broker/storage/partition_log.h"

namespace sluice::broker::handlers {
namespace {

using protocol::ListOffsetsRequest;
using protocol::ListOffsetsResponse;

ListOffsetsResponse::Partition lookup(BrokerContext& ctx, const std::string& topic,
                                      const ListOffsetsRequest::Partition& in, int16_t version,
                                      bool read_committed, bool allowed) {
  ListOffsetsResponse::Partition out;
  out.index = in.index;
  auto log = allowed ? ctx.topics.partition(topic, in.index) : nullptr;
  if (!log) {
    out.error_code = allowed ? protocol::code(protocol::ErrorCode::kUnknownTopicOrPartition)
                             : authorization_failed(acl::ResourceType::kTopic);
    return out;
  }
  if ((in.timestamp == ListOffsetsRequest::kLatestTiered && version >= 9) ||
      (in.timestamp == ListOffsetsRequest::kEarliestPendingUpload && version >= 11)) {
    return out;  // nothing is tiered: no offset, no epoch
  }
  if (in.timestamp == ListOffsetsRequest::kLatest) {
    out.offset = log->log_end_offset();
    if (read_committed)
      out.offset = committed_view(ctx.producers, topic, in.index, *log, out.offset, out.offset)
                       .last_stable_offset;
  } else if (in.timestamp == ListOffsetsRequest::kEarliest ||
             (in.timestamp == ListOffsetsRequest::kEarliestLocal && version >= 8)) {
    out.offset = log->log_start_offset();
  } else if (in.timestamp == ListOffsetsRequest::kMaxTimestamp && version >= 7) {
    if (auto found = log->max_timestamp_record()) std::tie(out.offset, out.timestamp) = *found;
  } else if (auto found = log->offset_for_timestamp(in.timestamp)) {
    out.offset = found->first;
    out.timestamp = found->second;
  }
  out.leader_epoch = 0;
  if (version == 0 && out.offset >= 0) out.old_style_offsets = {out.offset};
  return out;
}

}  // namespace

std::optional<Bytes> list_offsets(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<ListOffsetsRequest>(req, [&](const ListOffsetsRequest& in) {
    ListOffsetsResponse resp;
    for (const auto& topic : in.topics) {
      auto& t = resp.topics.emplace_back();
      t.name = topic.name;
      bool allowed =
          authorized(ctx, req, acl::Operation::kDescribe, acl::Resource::topic(topic.name));
      for (const auto& p : topic.partitions)
        t.partitions.push_back(
            lookup(ctx, topic.name, p, req.header.api_version, in.isolation_level == 1, allowed));
    }
    return std::optional(resp);
  });
}

}  // namespace sluice::broker::handlers
