// Access control lists: DescribeAcls (29) v0-v3, CreateAcls (30) v0-v3,
// DeleteAcls (31) v0-v3. v1 adds the resource pattern type; in v0 every
// pattern is LITERAL (the field's default). v2 is v1 made flexible; v3 only
// allows the USER resource type (6 is DELEGATION_TOKEN, 7 USER), which names
// delegation-token owners: this broker serves no tokens, so a USER ACL is
// refused as invalid and a USER filter matches nothing. Enum fields carry Kafka's codes
// (acl/acl_model.h).
#pragma once

#include "broker/protocol/codec.h"

namespace sluice::broker::protocol {

// The filter DescribeAcls and each DeleteAcls entry select ACLs with.
struct AclFilterData {
  int8_t resource_type = 0;
  NullableString resource_name;
  int8_t pattern_type = 3;  // LITERAL before v1
  NullableString principal;
  NullableString host;
  int8_t operation = 0;
  int8_t permission_type = 0;
  template <class V>
  void visit(V& v) {
    v(resource_type);
    v(resource_name);
    v(pattern_type, since(1));
    v(principal);
    v(host);
    v(operation);
    v(permission_type);
  }
};

struct DescribeAclsRequest {
  static constexpr int16_t kKey = 29;
  AclFilterData filter;
  template <class V>
  void visit(V& v) {
    filter.visit(v);  // the filter's fields are the request's top level
  }
};

struct DescribeAclsResponse {
  struct Acl {
    std::string principal;
    std::string host;
    int8_t operation = 0;
    int8_t permission_type = 0;
    template <class V>
    void visit(V& v) {
      v(principal);
      v(host);
      v(operation);
      v(permission_type);
    }
  };
  struct Resource {
    int8_t resource_type = 0;
    std::string resource_name;
    int8_t pattern_type = 3;
    std::vector<Acl> acls;
    template <class V>
    void visit(V& v) {
      v(resource_type);
      v(resource_name);
      v(pattern_type, since(1));
      v(acls);
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  NullableString error_message;
  std::vector<Resource> resources;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms);
    v(error_code);
    v(error_message);
    v(resources);
  }
};

// One ACL: a CreateAcls creation, and each ACL a DeleteAcls filter matched.
struct AclData {
  int8_t resource_type = 0;
  std::string resource_name;
  int8_t pattern_type = 3;  // LITERAL before v1
  std::string principal;
  std::string host;
  int8_t operation = 0;
  int8_t permission_type = 0;
  template <class V>
  void visit(V& v) {
    v(resource_type);
    v(resource_name);
    v(pattern_type, since(1));
    v(principal);
    v(host);
    v(operation);
    v(permission_type);
  }
};

struct CreateAclsRequest {
  static constexpr int16_t kKey = 30;
  std::vector<AclData> creations;
  template <class V>
  void visit(V& v) {
    v(creations);
  }
};

// An error code with its optional message, per entry of a batch API.
struct AclResult {
  int16_t error_code = 0;
  NullableString error_message;
  template <class V>
  void visit(V& v) {
    v(error_code);
    v(error_message);
  }
};

struct CreateAclsResponse {
  int32_t throttle_time_ms = 0;
  std::vector<AclResult> results;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms);
    v(results);
  }
};

struct DeleteAclsRequest {
  static constexpr int16_t kKey = 31;
  std::vector<AclFilterData> filters;
  template <class V>
  void visit(V& v) {
    v(filters);
  }
};

struct DeleteAclsResponse {
  struct MatchingAcl {
    int16_t error_code = 0;
    NullableString error_message;
    AclData acl;
    template <class V>
    void visit(V& v) {
      v(error_code);
      v(error_message);
      acl.visit(v);  // the ACL's fields follow inline, not as a nested struct
    }
  };
  struct FilterResult {
    int16_t error_code = 0;
    NullableString error_message;
    std::vector<MatchingAcl> matching_acls;
    template <class V>
    void visit(V& v) {
      v(error_code);
      v(error_message);
      v(matching_acls);
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<FilterResult> filter_results;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms);
    v(filter_results);
  }
};

}  // namespace sluice::broker::protocol
