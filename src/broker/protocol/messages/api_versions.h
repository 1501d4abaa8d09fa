// ApiVersions (key 18), v0-v5. v3 has a flexible body but, uniquely, a v0
// response header so that clients can parse an error answer before they know
// which versions the broker speaks. v4 changes only the features' minimum
// versions (KAFKA-17011; this broker lists no features). v5 (KIP-1242) lets a
// client say which cluster and node it meant to reach, so that a connection
// routed to the wrong broker is refused (api_versions.cc).
#pragma once

#include "broker/protocol/codec.h"

namespace sluice::broker::protocol {

struct ApiVersionsRequest {
  static constexpr int16_t kKey = 18;
  std::string client_software_name;
  std::string client_software_version;
  NullableString cluster_id;  // null: the client does not know it yet
  int32_t node_id = -1;
  template <class V>
  void visit(V& v) {
    v(client_software_name, since(3));
    v(client_software_version, since(3));
    v(cluster_id, since(5));
    v(node_id, since(5));
  }
};

struct ApiVersionsResponse {
  struct ApiKey {
    int16_t api_key = 0;
    int16_t min_version = 0;
    int16_t max_version = 0;
    template <class V>
    void visit(V& v) {
      v(api_key);
      v(min_version);
      v(max_version);
    }
  };
  int16_t error_code = 0;
  std::vector<ApiKey> api_keys;
  int32_t throttle_time_ms = 0;
  template <class V>
  void visit(V& v) {
    v(error_code);
    v(api_keys);
    v(throttle_time_ms, since(1));
  }
};

}  // namespace sluice::broker::protocol
