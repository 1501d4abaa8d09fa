#include "kafka/consumer.h"

#include <cstdlib>

#include "kafka/conf.h"
#include "kafka/queue_watch.h"

namespace sluice::kafka {
namespace {

// What every sluice consumer is: it commits only what its caller says is done.
const Settings kConsumerSettings = {{"enable.auto.commit", "false"},
                                    {"enable.auto.offset.store", "false"}};

PartitionList to_list(const std::vector<PartitionOffset>& parts) {
  PartitionList list = new_partition_list(static_cast<int>(parts.size()));
  for (const auto& p : parts)
    rd_kafka_topic_partition_list_add(list.get(), p.topic.c_str(), p.partition)->offset = p.offset;
  return list;
}

std::vector<PartitionOffset> from_list(const rd_kafka_topic_partition_list_t* list) {
  std::vector<PartitionOffset> out;
  for (int i = 0; list && i < list->cnt; ++i)
    out.push_back({list->elems[i].topic, list->elems[i].partition, list->elems[i].offset});
  return out;
}

// The first librdkafka with fetch.queue.backoff.ms: from it on, a drained queue is
// fetched again within that setting's wait, and no FetchWaker is needed.
constexpr int kFetchQueueBackoffVersion = 0x02040000;

// queued.max.messages.kbytes as configured (librdkafka's default when unset), in bytes.
int64_t prefetch_limit_bytes(rd_kafka_conf_t* conf) {
  char value[32];
  size_t size = sizeof value;
  if (rd_kafka_conf_get(conf, "queued.max.messages.kbytes", value, &size) != RD_KAFKA_CONF_OK)
    return 0;
  return std::strtoll(value, nullptr, 10) * 1024;
}

}  // namespace

Consumer::Consumer(const ClientOptions& options, RebalanceListener* rebalances,
                   ErrorListener on_error)
    : rebalances_(rebalances), on_error_(std::move(on_error)) {
  Conf conf = new_conf(options, kConsumerSettings);
  rd_kafka_conf_set_opaque(conf.get(), this);
  if (rebalances_) {
    rd_kafka_conf_set_rebalance_cb(
        conf.get(),
        [](rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
           void* opaque) { on_rebalance(rk, err, parts, opaque); });
  }
  if (on_error_) {
    rd_kafka_conf_set_error_cb(
        conf.get(), [](rd_kafka_t*, int err, const char* reason, void* opaque) {
          static_cast<Consumer*>(opaque)->on_error_(err, reason ? reason : "");
        });
  }
  const int64_t prefetch_bytes = prefetch_limit_bytes(conf.get());
  rk_ = new_client(RD_KAFKA_CONSUMER, conf, options.bootstrap).release();
  // Without a known limit there is no "half a prefetch" to tell a drained queue by.
  if (rd_kafka_version() < kFetchQueueBackoffVersion && prefetch_bytes > 0)
    waker_ = std::make_unique<FetchWaker>(rk_, prefetch_bytes);
  // Error events and rebalances are then served by poll(), on the caller's thread.
  rd_kafka_poll_set_consumer(rk_);
}

Consumer::~Consumer() {
  notify(-1);
  waker_.reset();  // joins its thread while the handle it uses is still alive
  // With a group, close() was the caller's to call: a last revocation here could
  // reach a listener that is already half destroyed.
  rd_kafka_destroy_flags(rk_, rebalances_ ? RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE : 0);
}

void Consumer::on_rebalance(rd_kafka_t* rk, int err, void* raw, void* opaque) {
  auto* self = static_cast<Consumer*>(opaque);
  auto* parts = static_cast<rd_kafka_topic_partition_list_t*>(raw);
  std::vector<PartitionOffset> list = from_list(parts);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    self->rebalances_->assigned(list);
    for (int i = 0; i < parts->cnt; ++i) parts->elems[i].offset = list[size_t(i)].offset;
    rd_kafka_assign(rk, parts);
    // librdkafka keeps a partition's pause flag after it is revoked. A partition
    // paused by flow control, revoked, and assigned back later would never be
    // fetched again (flow control thinks a fresh assignment is unpaused); so
    // resume explicitly, and flow control pauses again if it still has to.
    rd_kafka_resume_partitions(rk, parts);
  } else {
    self->rebalances_->revoked(list);
    rd_kafka_assign(rk, nullptr);
  }
}

ErrorCode Consumer::subscribe(const std::vector<std::string>& topics) {
  PartitionList list = new_partition_list(static_cast<int>(topics.size()));
  for (const auto& t : topics)
    rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  return rd_kafka_subscribe(rk_, list.get());
}

ErrorCode Consumer::assign(const std::vector<PartitionOffset>& parts) {
  PartitionList list = to_list(parts);
  return rd_kafka_assign(rk_, list.get());
}

ConsumedMessage Consumer::poll(int timeout_ms) {
  ConsumedMessage m(rd_kafka_consumer_poll(rk_, timeout_ms));
  if (waker_) {
    if (!m)
      waker_->found_dry();
    else if (!m.error())
      waker_->took(m.size());
  }
  return m;
}

void Consumer::pause_assignment() {
  rd_kafka_topic_partition_list_t* parts = nullptr;
  if (rd_kafka_assignment(rk_, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  PartitionList owned(parts);
  rd_kafka_pause_partitions(rk_, parts);
}

void Consumer::resume_assignment() {
  rd_kafka_topic_partition_list_t* parts = nullptr;
  if (rd_kafka_assignment(rk_, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  PartitionList owned(parts);
  rd_kafka_resume_partitions(rk_, parts);
}

ErrorCode Consumer::commit(const std::vector<PartitionOffset>& offsets, bool sync) {
  PartitionList list = to_list(offsets);
  return rd_kafka_commit(rk_, list.get(), sync ? 0 : 1);
}

std::vector<int64_t> Consumer::committed(const std::vector<PartitionOffset>& parts,
                                         int timeout_ms) {
  std::vector<PartitionOffset> asked;
  for (const auto& p : parts) asked.push_back({p.topic, p.partition, kOffsetInvalid});
  PartitionList list = to_list(asked);
  rd_kafka_committed(rk_, list.get(), timeout_ms);
  std::vector<int64_t> out;
  for (int i = 0; i < list->cnt; ++i) out.push_back(list->elems[i].offset);
  return out;
}

std::vector<int64_t> Consumer::log_offsets(const std::vector<PartitionOffset>& parts, int64_t which,
                                           int timeout_ms) {
  std::vector<PartitionOffset> asked;
  for (const auto& p : parts) asked.push_back({p.topic, p.partition, which});
  PartitionList list = to_list(asked);
  const bool answered =
      rd_kafka_offsets_for_times(rk_, list.get(), timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR;
  std::vector<int64_t> out;
  for (int i = 0; i < list->cnt; ++i) {
    const auto& e = list->elems[i];
    out.push_back(answered && e.err == RD_KAFKA_RESP_ERR_NO_ERROR && e.offset >= 0 ? e.offset : -1);
  }
  return out;
}

std::optional<std::vector<int64_t>> Consumer::positions(const std::vector<PartitionOffset>& parts) {
  std::vector<PartitionOffset> asked;
  for (const auto& p : parts) asked.push_back({p.topic, p.partition, kOffsetInvalid});
  PartitionList list = to_list(asked);
  if (rd_kafka_position(rk_, list.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;
  std::vector<int64_t> out;
  for (int i = 0; i < list->cnt; ++i) out.push_back(list->elems[i].offset);
  return out;
}

std::optional<Watermarks> Consumer::cached_watermarks(const std::string& topic, int32_t partition) {
  Watermarks w;
  if (rd_kafka_get_watermark_offsets(rk_, topic.c_str(), partition, &w.low, &w.high) !=
      RD_KAFKA_RESP_ERR_NO_ERROR)
    return std::nullopt;
  return w;
}

void Consumer::notify(int fd) {
  watch_queue(notifying_, fd, fd < 0 ? nullptr : rd_kafka_queue_get_consumer(rk_), "consumer");
}

void Consumer::close() {
  waker_.reset();  // its requests would only wait on a consumer that is leaving
  rd_kafka_consumer_close(rk_);
}

}  // namespace sluice::kafka
