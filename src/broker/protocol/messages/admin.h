// Topic administration: CreatePartitions (37) v0-v3 (flexible v2+; v3 only adds a
// throttling error), DeleteRecords (21) v0-v2 (flexible v2), DescribeConfigs (32)
// v0-v4 (flexible v4). The flexible versions add no field to these three: only the
// encoding changes. CreateTopics and DeleteTopics are in topics.h.
#pragma once

#include "broker/protocol/codec.h"

namespace sluice::broker::protocol {

// A name with an error code and an optional message: the answer shape most admin APIs share.
struct NamedResult {
  std::string name;
  int16_t error_code = 0;
  NullableString error_message;
  Versions message_versions = since(1);
  template <class V>
  void visit(V& v) {
    v(name);
    v(error_code);
    v(error_message, message_versions);
  }
};

struct CreatePartitionsRequest {
  static constexpr int16_t kKey = 37;
  struct Assignment {
    std::vector<int32_t> broker_ids;
    template <class V>
    void visit(V& v) {
      v(broker_ids);
    }
  };
  struct Topic {
    std::string name;
    int32_t count = 0;
    std::optional<std::vector<Assignment>> assignments;
    template <class V>
    void visit(V& v) {
      v(name);
      v(count);
      v(assignments);
    }
  };
  std::vector<Topic> topics;
  int32_t timeout_ms = 0;
  bool validate_only = false;
  template <class V>
  void visit(V& v) {
    v(topics);
    v(timeout_ms);
    v(validate_only);
  }
};

struct CreatePartitionsResponse {
  int32_t throttle_time_ms = 0;
  std::vector<NamedResult> results;  // message in every version
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms);
    v(results);
  }
};

struct DeleteRecordsRequest {
  static constexpr int16_t kKey = 21;
  struct Partition {
    int32_t index = 0;
    int64_t offset = 0;
    template <class V>
    void visit(V& v) {
      v(index);
      v(offset);
    }
  };
  using Topic = TopicPartitions<Partition>;
  std::vector<Topic> topics;
  int32_t timeout_ms = 0;
  template <class V>
  void visit(V& v) {
    v(topics);
    v(timeout_ms);
  }
};

struct DeleteRecordsResponse {
  struct Partition {
    int32_t index = 0;
    int64_t low_watermark = -1;
    int16_t error_code = 0;
    template <class V>
    void visit(V& v) {
      v(index);
      v(low_watermark);
      v(error_code);
    }
  };
  using Topic = TopicPartitions<Partition>;
  int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms);
    v(topics);
  }
};

struct DescribeConfigsRequest {
  static constexpr int16_t kKey = 32;
  static constexpr int8_t kTopic = 2;
  static constexpr int8_t kBroker = 4;
  struct Resource {
    int8_t resource_type = 0;
    std::string resource_name;
    std::optional<std::vector<std::string>> configuration_keys;
    template <class V>
    void visit(V& v) {
      v(resource_type);
      v(resource_name);
      v(configuration_keys);
    }
  };
  std::vector<Resource> resources;
  bool include_synonyms = false;
  bool include_documentation = false;
  template <class V>
  void visit(V& v) {
    v(resources);
    v(include_synonyms, since(1));
    v(include_documentation, since(3));
  }
};

struct DescribeConfigsResponse {
  // Config sources (v1+), Kafka's ConfigSource.
  static constexpr int8_t kTopicConfig = 1;          // DYNAMIC_TOPIC_CONFIG
  static constexpr int8_t kDynamicBrokerConfig = 2;  // DYNAMIC_BROKER_CONFIG
  static constexpr int8_t kDynamicDefaultBrokerConfig = 3;
  static constexpr int8_t kDefaultConfig = 5;  // DEFAULT_CONFIG
  struct Synonym {
    std::string name;
    NullableString value;
    int8_t source = 0;
    template <class V>
    void visit(V& v) {
      v(name);
      v(value);
      v(source);
    }
  };
  struct Config {
    std::string name;
    NullableString value;
    bool read_only = false;
    bool is_default = false;
    int8_t config_source = kDefaultConfig;
    bool is_sensitive = false;
    std::vector<Synonym> synonyms;
    int8_t config_type = 0;
    NullableString documentation;
    template <class V>
    void visit(V& v) {
      v(name);
      v(value);
      v(read_only);
      v(is_default, until(0));
      v(config_source, since(1));
      v(is_sensitive);
      v(synonyms, since(1));
      v(config_type, since(3));
      v(documentation, since(3));
    }
  };
  struct Result {
    int16_t error_code = 0;
    NullableString error_message;
    int8_t resource_type = 0;
    std::string resource_name;
    std::vector<Config> configs;
    template <class V>
    void visit(V& v) {
      v(error_code);
      v(error_message);
      v(resource_type);
      v(resource_name);
      v(configs);
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Result> results;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms);
    v(results);
  }
};

// FindCoordinator (10) v0-v6, flexible from v3. v5 adds only the
// TRANSACTION_ABORTABLE error (KIP-890); v6 key type 2, a share group's
// coordinator (KIP-932), which this broker refuses (INVALID_REQUEST), as Kafka
// does when share groups are off.
struct FindCoordinatorRequest {
  static constexpr int16_t kKey = 10;
  std::string key;  // v0-v3: the one key
  static constexpr int8_t kGroup = 0;
  static constexpr int8_t kTransaction = 1;
  int8_t key_type = kGroup;
  std::vector<std::string> coordinator_keys;  // v4+ (KIP-699): a batch of keys of key_type
  template <class V>
  void visit(V& v) {
    v(key, until(3));
    v(key_type, since(1));
    v(coordinator_keys, since(4));
  }
};

struct FindCoordinatorResponse {
  // v4+: one per requested key, in place of the v0-v3 top-level fields.
  struct Coordinator {
    std::string key;
    int32_t node_id = 0;
    std::string host;
    int32_t port = 0;
    int16_t error_code = 0;
    NullableString error_message;
    template <class V>
    void visit(V& v) {
      v(key);
      v(node_id);
      v(host);
      v(port);
      v(error_code);
      v(error_message);
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  NullableString error_message;
  int32_t node_id = 0;
  std::string host;
  int32_t port = 0;
  std::vector<Coordinator> coordinators;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms, since(1));
    v(error_code, until(3));
    v(error_message, Versions{1, 3});
    v(node_id, until(3));
    v(host, until(3));
    v(port, until(3));
    v(coordinators, since(4));
  }
};

}  // namespace sluice::broker::protocol
