// DescribeClientQuotas (48) v0-v1 (KIP-546; v1 is v0 made flexible). sluice enforces no client
// quotas, so the answer is always an empty list; it is served because Kafka's `kafka-configs
// --describe --entity-type users` asks for quotas beside the SCRAM credentials, and fails outright
// on a broker that does not answer.
#pragma once

#include "broker/protocol/codec.h"

namespace sluice::broker::protocol {

struct DescribeClientQuotasRequest {
  static constexpr int16_t kKey = 48;
  struct Component {
    std::string entity_type;  // "user", "client-id" or "ip"
    int8_t match_type = 0;    // 0 exact name, 1 default entity, 2 any
    NullableString match;
    template <class V>
    void visit(V& v) {
      v(entity_type);
      v(match_type);
      v(match);
    }
  };
  std::vector<Component> components;
  bool strict = false;
  template <class V>
  void visit(V& v) {
    v(components);
    v(strict);
  }
};

struct DescribeClientQuotasResponse {
  struct EntityPart {
    std::string entity_type;
    NullableString entity_name;
    template <class V>
    void visit(V& v) {
      v(entity_type);
      v(entity_name);
    }
  };
  struct Value {
    std::string key;
    double value = 0;
    template <class V>
    void visit(V& v) {
      v(key);
      v(value);
    }
  };
  struct Entry {
    std::vector<EntityPart> entity;
    std::vector<Value> values;
    template <class V>
    void visit(V& v) {
      v(entity);
      v(values);
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  NullableString error_message;
  std::optional<std::vector<Entry>> entries;  // null on error
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms);
    v(error_code);
    v(error_message);
    v(entries);
  }
};

}  // namespace sluice::broker::protocol
