// Creating and deleting topics: CreateTopics (19) v0-v7, flexible from v5;
// DeleteTopics (20) v0-v6, flexible from v4. Topic ids: CreateTopics answers
// the new topic's from v7; DeleteTopics takes a topic by name or by id from v6
// and answers with its id.
#pragma once

#include "broker/protocol/codec.h"

namespace sluice::broker::protocol {

struct CreateTopicsRequest {
  static constexpr int16_t kKey = 19;
  struct Assignment {
    int32_t partition_index = 0;
    std::vector<int32_t> broker_ids;
    template <class V>
    void visit(V& v) {
      v(partition_index);
      v(broker_ids);
    }
  };
  struct Config {
    std::string name;
    NullableString value;
    template <class V>
    void visit(V& v) {
      v(name);
      v(value);
    }
  };
  struct Topic {
    std::string name;
    int32_t num_partitions = -1;
    int16_t replication_factor = -1;
    std::vector<Assignment> assignments;
    std::vector<Config> configs;
    template <class V>
    void visit(V& v) {
      v(name);
      v(num_partitions);
      v(replication_factor);
      v(assignments);
      v(configs);
    }
  };
  std::vector<Topic> topics;
  int32_t timeout_ms = 0;
  bool validate_only = false;
  template <class V>
  void visit(V& v) {
    v(topics);
    v(timeout_ms);
    v(validate_only, since(1));
  }
};

struct CreateTopicsResponse {
  // From v5 (KIP-525) the answer shows the topic as created: every config with
  // its value and where it comes from.
  struct Config {
    static constexpr int8_t kTopicConfig = 1;    // set on the topic
    static constexpr int8_t kDefaultConfig = 5;  // the broker's default
    std::string name;
    NullableString value;
    bool read_only = false;
    int8_t config_source = -1;
    bool is_sensitive = false;
    template <class V>
    void visit(V& v) {
      v(name);
      v(value);
      v(read_only);
      v(config_source);
      v(is_sensitive);
    }
  };
  struct Topic {
    std::string name;
    Uuid topic_id;  // zero unless created
    int16_t error_code = 0;
    NullableString error_message;
    // v5+ also has TopicConfigErrorCode, a tagged field (tag 0) this broker never sends.
    int32_t num_partitions = -1;
    int16_t replication_factor = -1;
    std::vector<Config> configs;
    template <class V>
    void visit(V& v) {
      v(name);
      v(topic_id, since(7));
      v(error_code);
      v(error_message, since(1));
      v(num_partitions, since(5));
      v(replication_factor, since(5));
      v(configs, since(5));
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms, since(2));
    v(topics);
  }
};

struct DeleteTopicsRequest {
  static constexpr int16_t kKey = 20;
  struct Topic {
    NullableString name;  // null: by id
    Uuid topic_id;        // zero: by name
    template <class V>
    void visit(V& v) {
      v(name);
      v(topic_id);
    }
  };
  std::vector<Topic> topics;             // v6+
  std::vector<std::string> topic_names;  // v0-v5
  int32_t timeout_ms = 0;
  template <class V>
  void visit(V& v) {
    v(topics, since(6));
    v(topic_names, until(5));
    v(timeout_ms);
  }
};

struct DeleteTopicsResponse {
  struct Result {
    NullableString name;  // nullable from v6: an unknown id has no name
    Uuid topic_id;
    int16_t error_code = 0;
    NullableString error_message;
    template <class V>
    void visit(V& v) {
      v(name);
      v(topic_id, since(6));
      v(error_code);
      v(error_message, since(5));
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Result> responses;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms, since(1));
    v(responses);
  }
};

}  // namespace sluice::broker::protocol
