// Metadata (key 3), v0-v13; flexible from v9. Topic ids from v10, served for
// lookups from v12 (v10 and v11 carry the field, but Kafka's brokers ignore it
// there, and so do we). v13 adds a top-level error code (KIP-1102: a broker may
// tell a client to rebootstrap); this one broker never needs to, so it is 0.
#pragma once

#include "broker/protocol/codec.h"

namespace sluice::broker::protocol {

struct MetadataRequest {
  static constexpr int16_t kKey = 3;
  struct Topic {
    NullableString name;  // null only from v10 (a lookup by id)
    Uuid topic_id;        // zero: look the topic up by name
    template <class V>
    void visit(V& v) {
      v(topic_id, since(10));
      v(name);
    }
  };
  // v0: empty means all topics; v1+: null means all, empty means none.
  std::optional<std::vector<Topic>> topics;
  bool allow_auto_topic_creation = true;
  bool include_cluster_authorized_operations = false;
  bool include_topic_authorized_operations = false;
  template <class V>
  void visit(V& v) {
    v(topics);
    v(allow_auto_topic_creation, since(4));
    v(include_cluster_authorized_operations, Versions{8, 10});
    v(include_topic_authorized_operations, since(8));
  }
};

struct MetadataResponse {
  struct Broker {
    int32_t node_id = 0;
    std::string host;
    int32_t port = 0;
    NullableString rack;
    template <class V>
    void visit(V& v) {
      v(node_id);
      v(host);
      v(port);
      v(rack, since(1));
    }
  };
  struct Partition {
    int16_t error_code = 0;
    int32_t partition_index = 0;
    int32_t leader_id = 0;
    int32_t leader_epoch = 0;
    std::vector<int32_t> replica_nodes;
    std::vector<int32_t> isr_nodes;
    std::vector<int32_t> offline_replicas;
    template <class V>
    void visit(V& v) {
      v(error_code);
      v(partition_index);
      v(leader_id);
      v(leader_epoch, since(7));
      v(replica_nodes);
      v(isr_nodes);
      v(offline_replicas, since(5));
    }
  };
  struct Topic {
    int16_t error_code = 0;
    NullableString name;  // null only from v12, for an unknown id
    Uuid topic_id;        // zero for a topic not found by name
    bool is_internal = false;
    std::vector<Partition> partitions;
    int32_t topic_authorized_operations = INT32_MIN;
    template <class V>
    void visit(V& v) {
      v(error_code);
      v(name);
      v(topic_id, since(10));
      v(is_internal, since(1));
      v(partitions);
      v(topic_authorized_operations, since(8));
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Broker> brokers;
  NullableString cluster_id;
  int32_t controller_id = 0;
  std::vector<Topic> topics;
  int32_t cluster_authorized_operations = INT32_MIN;
  int16_t error_code = 0;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms, since(3));
    v(brokers);
    v(cluster_id, since(2));
    v(controller_id, since(1));
    v(topics);
    v(cluster_authorized_operations, Versions{8, 10});
    v(error_code, since(13));
  }
};

}  // namespace sluice::broker::protocol
