#include "broker/metrics/broker_lag_reader.h"

#include <algorithm>
#include <set>

#include "broker/storage/record_batch.h"

namespace sluice::broker {

std::optional<int64_t> record_timestamp_at(const PartitionLog& log, int64_t offset) {
  // A few batches at most: only transaction markers (control batches) are skipped.
  constexpr int kMaxBatches = 8;
  for (int i = 0; i < kMaxBatches && offset < log.log_end_offset(); ++i) {
    PartitionLog::ReadResult r = log.read(offset, 1);  // always at least the first batch
    if (r.out_of_range || r.data.empty()) return std::nullopt;
    std::optional<BatchHeader> h = parse_batch_header(r.data);
    if (!h || r.data.size() < h->total_size()) return std::nullopt;
    if (!h->is_control()) {
      std::optional<int64_t> found;
      for_each_record(ByteSpan(r.data.data(), h->total_size()), [&](const RecordView& rec) {
        if (rec.offset >= offset) found = rec.timestamp;
        return !found;
      });
      if (found) return found;
    }
    offset = std::max(offset, h->last_offset() + 1);
  }
  return std::nullopt;
}

std::optional<int64_t> BrokerLagReader::timestamp_at(const CacheKey& key, const PartitionLog& log,
                                                     int64_t offset) {
  {
    std::lock_guard lock(cache_mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second.offset == offset) return it->second.timestamp_ms;
  }
  std::optional<int64_t> ts;
  log_reads_.fetch_add(1, std::memory_order_relaxed);
  try {
    ts = record_timestamp_at(log, offset);
  } catch (const std::exception&) {
    ts = std::nullopt;  // a malformed record: no lag_seconds, as for a deleted one
  }
  if (ts) {
    std::lock_guard lock(cache_mu_);
    cache_[key] = {offset, *ts};
  }
  return ts;
}

ops::LagSnapshot BrokerLagReader::read(int64_t now_ms) {
  ops::LagSnapshot out;
  std::set<CacheKey> live;
  for (const ListedGroup& listed : ctx_.groups.list()) {
    const std::string& group = listed.group_id;
    GroupDescription d = ctx_.groups.describe(group);
    out.groups.push_back({group, d.state, int64_t(d.members.size())});
    for (const auto& [key, committed] : ctx_.groups.offsets().group_offsets(group)) {
      std::shared_ptr<PartitionLog> log = ctx_.topics.partition(key.topic, key.partition);
      if (!log) continue;  // the topic was deleted; its commits are stale
      ops::PartitionLagSample p{.group = group,
                                .topic = key.topic,
                                .partition = key.partition,
                                .committed = committed.offset,
                                .log_end = log->log_end_offset()};
      // Retention may have deleted records past the commit: the next one read is the log start.
      const int64_t next = std::max(committed.offset, log->log_start_offset());
      p.lag = std::max<int64_t>(p.log_end - next, 0);
      if (p.lag == 0) {
        p.lag_seconds = 0;
      } else {
        CacheKey cache_key{group, key.topic, key.partition};
        live.insert(cache_key);
        if (auto ts = timestamp_at(cache_key, *log, next))
          p.lag_seconds = std::max(0.0, double(now_ms - *ts) / 1000.0);
      }
      out.partitions.push_back(std::move(p));
    }
  }
  // Forget partitions that caught up or went away, so the cache tracks the live backlog.
  std::lock_guard lock(cache_mu_);
  std::erase_if(cache_, [&](const auto& entry) { return !live.count(entry.first); });
  return out;
}

}  // namespace sluice::broker
