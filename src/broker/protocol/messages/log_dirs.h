// DescribeLogDirs (key 35), v0-v5 (flexible from v2): the size of each partition
// in each log directory, (v4) the directory's filesystem capacity and (v5)
// whether the directory is cordoned, closed to new partitions (KIP-1066). A
// single-node broker has one log directory, its data dir, never cordoned.
#pragma once

#include "broker/protocol/codec.h"

namespace sluice::broker::protocol {

struct DescribeLogDirsRequest {
  static constexpr int16_t kKey = 35;
  struct Topic {
    std::string name;
    std::vector<int32_t> partitions;
    template <class V>
    void visit(V& v) {
      v(name);
      v(partitions);
    }
  };
  std::optional<std::vector<Topic>> topics;  // null: every topic and partition
  template <class V>
  void visit(V& v) {
    v(topics);
  }
};

struct DescribeLogDirsResponse {
  struct Partition {
    int32_t index = 0;
    int64_t size = 0;        // bytes of the partition's segments
    int64_t offset_lag = 0;  // log end past the high watermark: 0 on one node
    bool is_future_key = false;
    template <class V>
    void visit(V& v) {
      v(index);
      v(size);
      v(offset_lag);
      v(is_future_key);
    }
  };
  struct Result {
    int16_t error_code = 0;
    std::string log_dir;
    std::vector<TopicPartitions<Partition>> topics;
    int64_t total_bytes = -1;  // the filesystem's size, -1 when unknown
    int64_t usable_bytes = -1;
    bool is_cordoned = false;
    template <class V>
    void visit(V& v) {
      v(error_code);
      v(log_dir);
      v(topics);
      v(total_bytes, since(4));
      v(usable_bytes, since(4));
      v(is_cordoned, since(5));
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<Result> results;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms);
    v(error_code, since(3));
    v(results);
  }
};

}  // namespace sluice::broker::protocol
