// The KIP-848 consumer group protocol: ConsumerGroupHeartbeat (68) v0-v1 and
// ConsumerGroupDescribe (69) v0-v1, both flexible from v0. Topics are named by
// id in the heartbeat; the describe answer carries id and name. A null field
// in a heartbeat request means "unchanged since the last heartbeat".
#pragma once

#include "broker/protocol/codec.h"

namespace sluice::broker::protocol {

// A topic id and some of its partitions, as both APIs carry them.
struct MemberTopicPartitions {
  Uuid topic_id;
  std::vector<int32_t> partitions;
  template <class V>
  void visit(V& v) {
    v(topic_id);
    v(partitions);
  }
};

struct ConsumerGroupHeartbeatRequest {
  static constexpr int16_t kKey = 68;
  std::string group_id;
  std::string member_id;     // v1: chosen by the client (a UUID) before it joins
  int32_t member_epoch = 0;  // 0 joins, -1 leaves, -2 leaves for now (static member)
  NullableString instance_id;
  NullableString rack_id;
  int32_t rebalance_timeout_ms = -1;
  std::optional<std::vector<std::string>> subscribed_topic_names;
  NullableString subscribed_topic_regex;  // v1+
  NullableString server_assignor;
  std::optional<std::vector<MemberTopicPartitions>> topic_partitions;  // what the member owns
  template <class V>
  void visit(V& v) {
    v(group_id);
    v(member_id);
    v(member_epoch);
    v(instance_id);
    v(rack_id);
    v(rebalance_timeout_ms);
    v(subscribed_topic_names);
    v(subscribed_topic_regex, since(1));
    v(server_assignor);
    v(topic_partitions);
  }
};

struct ConsumerGroupHeartbeatResponse {
  struct Assignment {
    std::vector<MemberTopicPartitions> topic_partitions;
    template <class V>
    void visit(V& v) {
      v(topic_partitions);
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  NullableString error_message;
  NullableString member_id;
  int32_t member_epoch = 0;
  int32_t heartbeat_interval_ms = 0;
  std::optional<Assignment> assignment;  // null: unchanged
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms);
    v(error_code);
    v(error_message);
    v(member_id);
    v(member_epoch);
    v(heartbeat_interval_ms);
    v(assignment);
  }
};

struct ConsumerGroupDescribeRequest {
  static constexpr int16_t kKey = 69;
  std::vector<std::string> group_ids;
  bool include_authorized_operations = false;
  template <class V>
  void visit(V& v) {
    v(group_ids);
    v(include_authorized_operations);
  }
};

struct ConsumerGroupDescribeResponse {
  struct TopicPartitions {
    Uuid topic_id;
    std::string topic_name;
    std::vector<int32_t> partitions;
    template <class V>
    void visit(V& v) {
      v(topic_id);
      v(topic_name);
      v(partitions);
    }
  };
  struct Assignment {
    std::vector<TopicPartitions> topic_partitions;
    template <class V>
    void visit(V& v) {
      v(topic_partitions);
    }
  };
  struct Member {
    std::string member_id;
    NullableString instance_id;
    NullableString rack_id;
    int32_t member_epoch = 0;
    std::string client_id;
    std::string client_host;
    std::vector<std::string> subscribed_topic_names;
    NullableString subscribed_topic_regex;
    Assignment assignment;
    Assignment target_assignment;
    int8_t member_type = 1;  // v1+ (KIP-1099): -1 unknown, 0 classic, 1 consumer
    template <class V>
    void visit(V& v) {
      v(member_id);
      v(instance_id);
      v(rack_id);
      v(member_epoch);
      v(client_id);
      v(client_host);
      v(subscribed_topic_names);
      v(subscribed_topic_regex);
      v(assignment);
      v(target_assignment);
      v(member_type, since(1));
    }
  };
  struct Group {
    int16_t error_code = 0;
    NullableString error_message;
    std::string group_id;
    std::string group_state;
    int32_t group_epoch = 0;
    int32_t assignment_epoch = 0;
    std::string assignor_name;
    std::vector<Member> members;
    int32_t authorized_operations = INT32_MIN;
    template <class V>
    void visit(V& v) {
      v(error_code);
      v(error_message);
      v(group_id);
      v(group_state);
      v(group_epoch);
      v(assignment_epoch);
      v(assignor_name);
      v(members);
      v(authorized_operations);
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Group> groups;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms);
    v(groups);
  }
};

}  // namespace sluice::broker::protocol
