// ListOffsets (key 2), v0-v11, flexible v6+. Timestamp -2 asks for the earliest
// offset, -1 for the latest, -3 (v7+, KIP-734) for the record with the largest
// timestamp, -4 (v8+, KIP-405) for the earliest offset in local storage, -5
// (v9+, KIP-1005) for the last offset in tiered storage, -6 (v11+, KIP-1023)
// for the earliest offset not yet uploaded to it; any other value for the first
// record at or after it. v10 adds the time a remote read may take (timeout_ms).
#pragma once

#include "broker/protocol/codec.h"

namespace sluice::broker::protocol {

struct ListOffsetsRequest {
  static constexpr int16_t kKey = 2;
  static constexpr int64_t kLatest = -1;
  static constexpr int64_t kEarliest = -2;
  static constexpr int64_t kMaxTimestamp = -3;
  static constexpr int64_t kEarliestLocal = -4;
  static constexpr int64_t kLatestTiered = -5;
  static constexpr int64_t kEarliestPendingUpload = -6;
  struct Partition {
    int32_t index = 0;
    int32_t current_leader_epoch = -1;
    int64_t timestamp = 0;
    int32_t max_num_offsets = 1;
    template <class V>
    void visit(V& v) {
      v(index);
      v(current_leader_epoch, since(4));
      v(timestamp);
      v(max_num_offsets, until(0));
    }
  };
  using Topic = TopicPartitions<Partition>;
  int32_t replica_id = -1;
  int8_t isolation_level = 0;
  std::vector<Topic> topics;
  int32_t timeout_ms = 0;
  template <class V>
  void visit(V& v) {
    v(replica_id);
    v(isolation_level, since(2));
    v(topics);
    v(timeout_ms, since(10));
  }
};

struct ListOffsetsResponse {
  struct Partition {
    int32_t index = 0;
    int16_t error_code = 0;
    std::vector<int64_t> old_style_offsets;
    int64_t timestamp = -1;
    int64_t offset = -1;
    int32_t leader_epoch = -1;
    template <class V>
    void visit(V& v) {
      v(index);
      v(error_code);
      v(old_style_offsets, until(0));
      v(timestamp, since(1));
      v(offset, since(1));
      v(leader_epoch, since(4));
    }
  };
  using Topic = TopicPartitions<Partition>;
  int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms, since(2));
    v(topics);
  }
};

}  // namespace sluice::broker::protocol
