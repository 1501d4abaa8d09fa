// A consumer group's lag per partition, as kafka-consumer-groups.sh --describe
// reports it, plus LAG-SECONDS: the age of the oldest record the group has not
// consumed yet, which says how far behind in time (not just in count) it is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kafka/admin_client.h"
#include "kafka/record_reader.h"

namespace sluice::cli {

struct PartitionLag {
  std::string topic;
  int32_t partition = 0;
  std::optional<int64_t> committed;  // nullopt: the group never committed here
  int64_t log_end = 0;
  // Records not yet consumed; without a commit, counted from the log start (what a
  // consumer with auto.offset.reset=earliest, like sluice's stages, will read).
  int64_t lag = 0;
  std::optional<double> lag_seconds;         // 0 when lag is 0; nullopt when unreadable
  std::string consumer_id, host, client_id;  // empty: no member owns the partition
};

struct GroupLag {
  std::string group;
  std::string state;
  size_t members = 0;
  std::vector<PartitionLag> partitions;

  // Dead with no commits: the cluster has never heard of the group.
  bool exists() const { return state != "Dead" || !partitions.empty(); }
  int64_t total_lag() const;
  // Runbook "detect skew": the partition holding more than half of a total lag
  // above kSkewMinTotalLag (a hot key or a stuck consumer), if there is one.
  const PartitionLag* skewed() const;
  static constexpr int64_t kSkewMinTotalLag = 1000;
};

// Partitions the group owns or has committed on; members from DescribeConsumerGroups,
// commits from ListConsumerGroupOffsets, ends from the watermarks.
GroupLag measure_group_lag(kafka::AdminClient& admin, kafka::RecordReader& reader,
                           const std::string& group);

}  // namespace sluice::cli
