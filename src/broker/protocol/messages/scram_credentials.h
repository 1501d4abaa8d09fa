// SCRAM credential administration (KIP-554): DescribeUserScramCredentials (50)
// v0 and AlterUserScramCredentials (51) v0, both flexible from v0.
#pragma once

#include "broker/protocol/codec.h"

namespace sluice::broker::protocol {

struct DescribeUserScramCredentialsRequest {
  static constexpr int16_t kKey = 50;
  struct User {
    std::string name;
    template <class V>
    void visit(V& v) {
      v(name);
    }
  };
  std::optional<std::vector<User>> users;  // null: every user
  template <class V>
  void visit(V& v) {
    v(users);
  }
};

struct DescribeUserScramCredentialsResponse {
  struct CredentialInfo {
    int8_t mechanism = 0;  // 1 SCRAM-SHA-256, 2 SCRAM-SHA-512
    int32_t iterations = 0;
    template <class V>
    void visit(V& v) {
      v(mechanism);
      v(iterations);
    }
  };
  struct Result {
    std::string user;
    int16_t error_code = 0;
    NullableString error_message;
    std::vector<CredentialInfo> credential_infos;
    template <class V>
    void visit(V& v) {
      v(user);
      v(error_code);
      v(error_message);
      v(credential_infos);
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  NullableString error_message;
  std::vector<Result> results;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms);
    v(error_code);
    v(error_message);
    v(results);
  }
};

struct AlterUserScramCredentialsRequest {
  static constexpr int16_t kKey = 51;
  struct Deletion {
    std::string name;
    int8_t mechanism = 0;
    template <class V>
    void visit(V& v) {
      v(name);
      v(mechanism);
    }
  };
  struct Upsertion {
    std::string name;
    int8_t mechanism = 0;
    int32_t iterations = 0;
    Blob salt;
    Blob salted_password;  // Hi(password, salt, iterations), computed by the client
    template <class V>
    void visit(V& v) {
      v(name);
      v(mechanism);
      v(iterations);
      v(salt);
      v(salted_password);
    }
  };
  std::vector<Deletion> deletions;
  std::vector<Upsertion> upsertions;
  template <class V>
  void visit(V& v) {
    v(deletions);
    v(upsertions);
  }
};

struct AlterUserScramCredentialsResponse {
  struct Result {
    std::string user;
    int16_t error_code = 0;
    NullableString error_message;
    template <class V>
    void visit(V& v) {
      v(user);
      v(error_code);
      v(error_message);
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

}  // namespace sluice::broker::protocol
