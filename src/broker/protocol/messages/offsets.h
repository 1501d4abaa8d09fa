// Committed offsets: OffsetCommit (8) v0-v9, OffsetFetch (9) v0-v9,
// OffsetDelete (47) v0. Flexible (KIP-482) from OffsetCommit v8 and OffsetFetch
// v6. v9 of both is KIP-848's: OffsetCommit's generation carries a consumer
// group member's epoch, OffsetFetch names the member and its epoch. v10 of both
// names topics by id instead of by name (KIP-848, KIP-516).
#pragma once

#include "broker/protocol/codec.h"

namespace sluice::broker::protocol {

// The first OffsetCommit and OffsetFetch version naming topics by id.
inline constexpr int16_t kFirstOffsetsTopicIdVersion = 10;

struct OffsetCommitRequest {
  static constexpr int16_t kKey = 8;
  struct Partition {
    int32_t index = 0;
    int64_t committed_offset = 0;
    int32_t committed_leader_epoch = -1;
    int64_t commit_timestamp = -1;
    NullableString committed_metadata;
    template <class V>
    void visit(V& v) {
      v(index);
      v(committed_offset);
      v(committed_leader_epoch, since(6));
      v(commit_timestamp, Versions{1, 1});
      v(committed_metadata);
    }
  };
  using Topic = TopicIdPartitions<Partition, kFirstOffsetsTopicIdVersion>;
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  NullableString group_instance_id;
  int64_t retention_time_ms = -1;
  std::vector<Topic> topics;
  template <class V>
  void visit(V& v) {
    v(group_id);
    v(generation_id, since(1));
    v(member_id, since(1));
    v(group_instance_id, since(7));
    v(retention_time_ms, Versions{2, 4});
    v(topics);
  }
};

// Per-partition error codes, grouped by topic: the answer of OffsetCommit and
// OffsetDelete (whose only version, v0, names topics).
struct PartitionErrors {
  struct Partition {
    int32_t index = 0;
    int16_t error_code = 0;
    template <class V>
    void visit(V& v) {
      v(index);
      v(error_code);
    }
  };
  using Topic = TopicIdPartitions<Partition, kFirstOffsetsTopicIdVersion>;
};

struct OffsetCommitResponse {
  int32_t throttle_time_ms = 0;
  std::vector<PartitionErrors::Topic> topics;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms, since(3));
    v(topics);
  }
};

struct OffsetFetchRequest {
  static constexpr int16_t kKey = 9;
  struct Topic {
    std::string name;  // until v9
    std::vector<int32_t> partition_indexes;
    Uuid topic_id;  // v10+
    template <class V>
    void visit(V& v) {
      v(name, until(kFirstOffsetsTopicIdVersion - 1));
      v(topic_id, since(kFirstOffsetsTopicIdVersion));
      v(partition_indexes);
    }
  };
  // v8+ asks for several groups at once, each as v0-v7 asked for one.
  struct Group {
    std::string group_id;
    std::optional<std::vector<Topic>> topics;
    NullableString member_id;  // v9+ (KIP-848): null unless a consumer group member asks
    int32_t member_epoch = -1;
    template <class V>
    void visit(V& v) {
      v(group_id);
      v(member_id, since(9));
      v(member_epoch, since(9));
      v(topics);
    }
  };
  std::string group_id;                      // v0-v7
  std::optional<std::vector<Topic>> topics;  // v0-v7; null (v2+): every committed partition
  std::vector<Group> groups;                 // v8+
  bool require_stable = false;               // v7+
  template <class V>
  void visit(V& v) {
    v(group_id, until(7));
    v(topics, until(7));
    v(groups, since(8));
    v(require_stable, since(7));
  }
};

struct OffsetFetchResponse {
  struct Partition {
    int32_t index = 0;
    int64_t committed_offset = -1;
    int32_t committed_leader_epoch = -1;
    NullableString metadata;
    int16_t error_code = 0;
    template <class V>
    void visit(V& v) {
      v(index);
      v(committed_offset);
      v(committed_leader_epoch, since(5));
      v(metadata);
      v(error_code);
    }
  };
  using Topic = TopicIdPartitions<Partition, kFirstOffsetsTopicIdVersion>;
  struct Group {
    std::string group_id;
    std::vector<Topic> topics;
    int16_t error_code = 0;
    template <class V>
    void visit(V& v) {
      v(group_id);
      v(topics);
      v(error_code);
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;  // v0-v7
  int16_t error_code = 0;     // v2-v7
  std::vector<Group> groups;  // v8+
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms, since(3));
    v(topics, until(7));
    v(error_code, Versions{2, 7});
    v(groups, since(8));
  }
};

struct OffsetDeleteRequest {
  static constexpr int16_t kKey = 47;
  struct Partition {
    int32_t index = 0;
    template <class V>
    void visit(V& v) {
      v(index);
    }
  };
  using Topic = TopicPartitions<Partition>;
  std::string group_id;
  std::vector<Topic> topics;
  template <class V>
  void visit(V& v) {
    v(group_id);
    v(topics);
  }
};

struct OffsetDeleteResponse {
  int16_t error_code = 0;
  int32_t throttle_time_ms = 0;
  std::vector<PartitionErrors::Topic> topics;
  template <class V>
  void visit(V& v) {
    v(error_code);
    v(throttle_time_ms);
    v(topics);
  }
};

// InitProducerId (22) v0-v5, flexible v2+. v3 adds the producer id and epoch
// the producer already holds (KIP-360), -1/-1 for none; v4 only adds the
// PRODUCER_FENCED error and v5 the TRANSACTION_ABORTABLE error (KIP-890), both
// for transactional ids. (v6, KIP-939's two-phase commit, is unstable in Kafka.)
struct InitProducerIdRequest {
  static constexpr int16_t kKey = 22;
  NullableString transactional_id;
  int32_t transaction_timeout_ms = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  template <class V>
  void visit(V& v) {
    v(transactional_id);
    v(transaction_timeout_ms);
    v(producer_id, since(3));
    v(producer_epoch, since(3));
  }
};

struct InitProducerIdResponse {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms);
    v(error_code);
    v(producer_id);
    v(producer_epoch);
  }
};

}  // namespace sluice::broker::protocol
