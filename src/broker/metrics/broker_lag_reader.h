// Consumer-group lag read from the broker's own state, like kafka-lag-exporter
// or Burrow read it from a Kafka cluster: committed offsets from the offset
// store, log end offsets and record timestamps from the topic store, group
// state and members from the group coordinator. Nothing goes through the
// network, so a paused or dead consumer's lag keeps growing here while its own
// gauges freeze or vanish.
//
// Invariant: read() is safe from concurrent scrapes and never changes broker
// state. lag_seconds needs the timestamp of the record at the group's next
// offset; that record never changes, so its timestamp is cached per
// (group, topic, partition) and re-read only when the next offset moves: a
// scrape of idle or stuck groups reads no log at all, however many partitions.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>

#include "broker/broker_context.h"
#include "ops/lag_metrics.h"

namespace sluice::broker {

class BrokerLagReader {
 public:
  explicit BrokerLagReader(BrokerContext& ctx) : ctx_(ctx) {}

  // Every group the coordinator lists, with each partition it committed on.
  ops::LagSnapshot read(int64_t now_ms);

  // Records read from logs for their timestamps so far: what the cache saves shows here.
  uint64_t log_reads() const { return log_reads_.load(std::memory_order_relaxed); }

 private:
  using CacheKey = std::tuple<std::string, std::string, int32_t>;  // group, topic, partition
  struct CachedTimestamp {
    int64_t offset = -1;
    int64_t timestamp_ms = 0;
  };
  std::optional<int64_t> timestamp_at(const CacheKey& key, const PartitionLog& log, int64_t offset);

  BrokerContext& ctx_;
  std::mutex cache_mu_;
  std::map<CacheKey, CachedTimestamp> cache_;
  std::atomic<uint64_t> log_reads_{0};
};

// Timestamp (ms) of the first data record at or after `offset` in `log`, skipping
// control batches; nullopt when there is none or it cannot be read.
std::optional<int64_t> record_timestamp_at(const PartitionLog& log, int64_t offset);

}  // namespace sluice::broker
