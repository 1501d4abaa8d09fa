// DescribeCluster (key 60), v0-v2, flexible from v0 (KIP-700): the cluster id,
// the controller and the brokers, what the admin client's describeCluster() and
// `kafka-cluster` ask instead of Metadata. v1 names the kind of endpoint the
// client meant to reach (KIP-919: 1 brokers, 2 controllers), v2 asks for fenced
// brokers too and answers whether each broker is fenced (KIP-1073).
#pragma once

#include "broker/protocol/codec.h"

namespace sluice::broker::protocol {

struct DescribeClusterRequest {
  static constexpr int16_t kKey = 60;
  static constexpr int8_t kBrokers = 1;
  static constexpr int8_t kControllers = 2;
  bool include_cluster_authorized_operations = false;
  int8_t endpoint_type = kBrokers;
  bool include_fenced_brokers = false;
  template <class V>
  void visit(V& v) {
    v(include_cluster_authorized_operations);
    v(endpoint_type, since(1));
    v(include_fenced_brokers, since(2));
  }
};

struct DescribeClusterResponse {
  struct Broker {
    int32_t broker_id = 0;
    std::string host;
    int32_t port = 0;
    NullableString rack;
    bool is_fenced = false;
    template <class V>
    void visit(V& v) {
      v(broker_id);
      v(host);
      v(port);
      v(rack);
      v(is_fenced, since(2));
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  NullableString error_message;
  int8_t endpoint_type = DescribeClusterRequest::kBrokers;
  std::string cluster_id;
  int32_t controller_id = -1;
  std::vector<Broker> brokers;
  int32_t cluster_authorized_operations = INT32_MIN;  // not computed, as in Metadata
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms);
    v(error_code);
    v(error_message);
    v(endpoint_type, since(1));
    v(cluster_id);
    v(controller_id);
    v(brokers);
    v(cluster_authorized_operations);
  }
};

}  // namespace sluice::broker::protocol
