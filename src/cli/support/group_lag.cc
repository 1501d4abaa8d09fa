#include "cli/support/group_lag.h"

#include <algorithm>
#include <map>

#include "common/clock.h"

namespace sluice::cli {

int64_t GroupLag::total_lag() const {
  int64_t total = 0;
  for (const auto& p : partitions) total += p.lag;
  return total;
}

const PartitionLag* GroupLag::skewed() const {
  const int64_t total = total_lag();
  if (total <= kSkewMinTotalLag) return nullptr;
  for (const auto& p : partitions) {
    if (p.lag * 2 > total) return &p;
  }
  return nullptr;
}

GroupLag measure_group_lag(kafka::AdminClient& admin, kafka::RecordReader& reader,
                           const std::string& group) {
  kafka::GroupDescription description = admin.describe_group(group);
  std::map<kafka::TopicPartition, int64_t> committed = admin.committed_offsets(group);
  std::map<kafka::TopicPartition, const kafka::GroupMember*> owners;
  for (const auto& m : description.members) {
    for (const auto& tp : m.assignment) owners[tp] = &m;
  }
  std::map<kafka::TopicPartition, PartitionLag> rows;  // ordered by topic, then partition
  for (const auto& [tp, offset] : committed) rows[tp].committed = offset;
  for (const auto& [tp, member] : owners) rows[tp];

  GroupLag out{group, description.state, description.members.size(), {}};
  const int64_t now = now_ms();
  for (auto& [tp, row] : rows) {
    row.topic = tp.first;
    row.partition = tp.second;
    const kafka::Watermarks w = admin.watermarks(tp.first, tp.second);
    row.log_end = w.high;
    // Retention may have deleted records past the commit: the next one to read is at w.low.
    const int64_t next = std::max(row.committed.value_or(w.low), w.low);
    row.lag = std::max<int64_t>(w.high - next, 0);
    if (row.lag == 0) {
      row.lag_seconds = 0;
    } else if (auto ts = reader.timestamp_at(tp.first, tp.second, next)) {
      row.lag_seconds = std::max(0.0, static_cast<double>(now - *ts) / 1000.0);
    }
    if (auto o = owners.find(tp); o != owners.end()) {
      row.consumer_id = o->second->member_id;
      row.host = o->second->host;
      row.client_id = o->second->client_id;
    }
    out.partitions.push_back(std::move(row));
  }
  return out;
}

}  // namespace sluice::cli
