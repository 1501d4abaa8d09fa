// AlterConfigs (key 33), v0-v2 (flexible from v2), and IncrementalAlterConfigs
// (key 44), v0-v1 (flexible from v1): the same shapes, the incremental one with
// an operation per config. Both answer one result per resource.
#pragma once

#include "broker/protocol/codec.h"

namespace sluice::broker::protocol {

// Kafka's ConfigResource types.
inline constexpr int8_t kTopicResource = 2;
inline constexpr int8_t kBrokerResource = 4;

template <bool kIncremental>
struct AlterConfigsRequestOf {
  static constexpr int16_t kKey = kIncremental ? 44 : 33;
  // IncrementalAlterConfigs' operations (AlterConfigOp.OpType).
  enum Operation : int8_t { kSet = 0, kDelete = 1, kAppend = 2, kSubtract = 3 };
  struct Config {
    std::string name;
    int8_t operation = kSet;  // on the wire only in IncrementalAlterConfigs
    NullableString value;
    template <class V>
    void visit(V& v) {
      v(name);
      v(operation, kIncremental ? Versions{} : kNever);
      v(value);
    }
  };
  struct Resource {
    int8_t resource_type = 0;
    std::string resource_name;
    std::vector<Config> configs;
    template <class V>
    void visit(V& v) {
      v(resource_type);
      v(resource_name);
      v(configs);
    }
  };
  std::vector<Resource> resources;
  bool validate_only = false;
  template <class V>
  void visit(V& v) {
    v(resources);
    v(validate_only);
  }
};
using AlterConfigsRequest = AlterConfigsRequestOf<false>;
using IncrementalAlterConfigsRequest = AlterConfigsRequestOf<true>;

struct AlterConfigsResponse {
  struct Result {
    int16_t error_code = 0;
    NullableString error_message;
    int8_t resource_type = 0;
    std::string resource_name;
    template <class V>
    void visit(V& v) {
      v(error_code);
      v(error_message);
      v(resource_type);
      v(resource_name);
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Result> responses;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms);
    v(responses);
  }
};

}  // namespace sluice::broker::protocol
