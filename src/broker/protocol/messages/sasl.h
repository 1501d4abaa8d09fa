// SASL: SaslHandshake (17) v0-v1, SaslAuthenticate (36) v0-v2 (v2 flexible).
#pragma once

#include "broker/protocol/codec.h"

namespace sluice::broker::protocol {

struct SaslHandshakeRequest {
  static constexpr int16_t kKey = 17;
  std::string mechanism;
  template <class V>
  void visit(V& v) {
    v(mechanism);
  }
};

struct SaslHandshakeResponse {
  int16_t error_code = 0;
  std::vector<std::string> mechanisms;  // the ones enabled on this broker
  template <class V>
  void visit(V& v) {
    v(error_code);
    v(mechanisms);
  }
};

struct SaslAuthenticateRequest {
  static constexpr int16_t kKey = 36;
  Blob auth_bytes;
  template <class V>
  void visit(V& v) {
    v(auth_bytes);
  }
};

struct SaslAuthenticateResponse {
  int16_t error_code = 0;
  NullableString error_message;
  Blob auth_bytes;
  int64_t session_lifetime_ms = 0;  // 0: no re-authentication required (KIP-368)
  template <class V>
  void visit(V& v) {
    v(error_code);
    v(error_message);
    v(auth_bytes);
    v(session_lifetime_ms, since(1));
  }
};

}  // namespace sluice::broker::protocol
