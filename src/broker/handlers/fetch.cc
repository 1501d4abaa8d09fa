// Fetch: answers once min_bytes are available or max_wait_ms has passed. The
// waiting is the caller's: fetch_pass() looks once and never blocks.
// Partitions are served in request order; the first batch of the first
// non-empty partition is returned whole even beyond the limits (KIP-74), every
// later partition only if it fits in what is left of the response budget.
//
// v12's last_fetched_epoch lets a fetcher learn that the log diverged from what
// it read (a diverging epoch in the answer, KIP-320/KIP-595). This broker has
// one leader epoch, 0, for all time (Metadata and ListOffsets say so) and never
// truncates below the high watermark, so no log it served can diverge: the field
// is read and no diverging epoch is ever written. Consumers send -1 anyway.
//
// From v13 a topic is named by its id and answered by it; an id the broker does
// not know is UNKNOWN_TOPIC_ID for each of its partitions (the consumer then
// refreshes its metadata). Sessions are never created (fetch.h), so the
// forgotten topics of an incremental fetch never name anything to forget.
#include "broker/protocol/messages/fetch.h"

#include <chrono>

#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/topic_lookup.h"
#include "broker/producers/transaction_markers.h"
#include "broker/protocol/errors.h"
#include "broker/storage/partition_log.h"
#include "broker/storage/transaction_index.h"

namespace sluice::broker::handlers {
namespace {

using protocol::ErrorCode;
using protocol::FetchRequest;
using protocol::FetchResponse;

struct Collected {
  FetchResponse response;
  int64_t bytes = 0;
  bool has_error = false;
};

// read_committed (isolation level 1): nothing at or past the last stable
// offset, and the aborted transactions below it, for the consumer to drop.
void limit_to_committed(BrokerContext& ctx, const std::string& topic,
                        const FetchRequest::Partition& in, const PartitionLog& log,
                        PartitionLog::ReadResult& read, FetchResponse::Partition& out) {
  CommittedView view =
      committed_view(ctx.producers, topic, in.index, log, read.high_watermark, in.fetch_offset);
  out.last_stable_offset = view.last_stable_offset;
  cut_batches_at(read.data, view.last_stable_offset);
  for (const AbortedTransaction& a : view.aborted)
    out.aborted_transactions->push_back({a.producer_id, a.first_offset});
}

FetchResponse::Partition read_partition(BrokerContext& ctx, const std::string& topic,
                                        const FetchRequest::Partition& in, bool read_committed,
                                        int64_t budget, bool first_data, int16_t refusal,
                                        int64_t& bytes, bool& has_error) {
  FetchResponse::Partition out;
  out.index = in.index;
  auto log = refusal == 0 ? ctx.topics.partition(topic, in.index) : nullptr;
  if (!log) {
    out.error_code = refusal != 0 ? refusal : protocol::code(ErrorCode::kUnknownTopicOrPartition);
    has_error = true;
    return out;
  }
  int32_t limit = int32_t(std::min<int64_t>(in.max_bytes, std::max<int64_t>(budget, 0)));
  auto read = log->read(in.fetch_offset, std::max(limit, 1));
  out.high_watermark = read.high_watermark;
  out.last_stable_offset = read.high_watermark;
  out.log_start_offset = read.log_start_offset;
  out.aborted_transactions.emplace();
  if (read.out_of_range) {
    out.error_code = protocol::code(ErrorCode::kOffsetOutOfRange);
    has_error = true;
    return out;
  }
  if (read_committed) limit_to_committed(ctx, topic, in, *log, read, out);
  // Storage always yields at least one whole batch; past the first partition with
  // data that would break the response limit, so the batch waits for the next fetch.
  if (!first_data && int64_t(read.data.size()) > budget) read.data.clear();
  bytes += int64_t(read.data.size());
  out.records = protocol::Records::of(std::move(read.data));
  return out;
}

// A refused topic is an error, so the first pass answers and the denial is counted once.
Collected collect(BrokerContext& ctx, const protocol::Request& req, const FetchRequest& in) {
  Collected c;
  const bool by_id = req.header.api_version >= FetchRequest::kFirstTopicIdVersion;
  for (const auto& topic : in.topics) {
    auto& t = c.response.responses.emplace_back();
    t.name = topic.name;
    t.topic_id = topic.topic_id;
    TopicName named = name_topic(ctx, topic.name, topic.topic_id, by_id);
    int16_t refusal = protocol::code(named.error);
    if (refusal == 0 &&
        !authorized(ctx, req, acl::Operation::kRead, acl::Resource::topic(named.name)))
      refusal = authorization_failed(acl::ResourceType::kTopic);
    for (const auto& part : topic.partitions) {
      int64_t budget = int64_t(in.max_bytes) - c.bytes;
      t.partitions.push_back(read_partition(ctx, named.name, part, in.isolation_level == 1, budget,
                                            c.bytes == 0, refusal, c.bytes, c.has_error));
    }
  }
  return c;
}

}  // namespace

FetchPass fetch_pass(BrokerContext& ctx, const protocol::Request& req, bool may_wait) {
  FetchPass pass;
  bool answered = false;
  std::optional<Bytes> body = protocol::serve<FetchRequest>(req, [&](const FetchRequest& in) {
    pass.max_wait_ms = std::max(in.max_wait_ms, 0);
    pass.min_bytes = in.min_bytes;
    Collected c = collect(ctx, req, in);
    answered = !may_wait || c.bytes >= in.min_bytes || c.has_error || ctx.stopping();
    return answered ? std::optional(std::move(c.response)) : std::nullopt;
  });
  if (answered) pass.response = std::move(body);
  return pass;
}

std::optional<Bytes> fetch(BrokerContext& ctx, const protocol::Request& req) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    uint64_t seen = ctx.data.version();
    FetchPass pass = fetch_pass(ctx, req, true);
    if (pass.response) return pass.response;
    auto deadline = start + std::chrono::milliseconds(pass.max_wait_ms);
    if (std::chrono::steady_clock::now() >= deadline) return fetch_pass(ctx, req, false).response;
    ctx.data.wait(seen, deadline);
  }
}

}  // namespace sluice::broker::handlers
