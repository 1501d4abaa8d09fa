// Consumer group membership: JoinGroup (11) v0-v9, SyncGroup (14) v0-v5,
// Heartbeat (12) v0-v4, LeaveGroup (13) v0-v5, DescribeGroups (15) v0-v5,
// ListGroups (16) v0-v5, DeleteGroups (42) v0-v2. Flexible (KIP-482) from
// JoinGroup v6, SyncGroup/Heartbeat/LeaveGroup v4, DescribeGroups v5,
// ListGroups v3 and DeleteGroups v2 (api_registry.cc).
#pragma once

#include "broker/protocol/codec.h"

namespace sluice::broker::protocol {

struct JoinGroupRequest {
  static constexpr int16_t kKey = 11;
  struct Protocol {
    std::string name;
    Blob metadata;
    template <class V>
    void visit(V& v) {
      v(name);
      v(metadata);
    }
  };
  std::string group_id;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = -1;  // v0: equals the session timeout
  std::string member_id;
  NullableString group_instance_id;
  std::string protocol_type;
  std::vector<Protocol> protocols;
  NullableString reason;  // v8+ (KIP-800): why the member (re)joins, for the log
  template <class V>
  void visit(V& v) {
    v(group_id);
    v(session_timeout_ms);
    v(rebalance_timeout_ms, since(1));
    v(member_id);
    v(group_instance_id, since(5));
    v(protocol_type);
    v(protocols);
    v(reason, since(8));
  }
};

struct JoinGroupResponse {
  struct Member {
    std::string member_id;
    NullableString group_instance_id;
    Blob metadata;
    template <class V>
    void visit(V& v) {
      v(member_id);
      v(group_instance_id, since(5));
      v(metadata);
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int32_t generation_id = -1;
  NullableString protocol_type;  // v7+ (KIP-559): the group's, null on an error
  std::string protocol_name;
  std::string leader;
  bool skip_assignment = false;  // v9+: only a KIP-848 coordinator ever sets it
  std::string member_id;
  std::vector<Member> members;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms, since(2));
    v(error_code);
    v(generation_id);
    v(protocol_type, since(7));
    v(protocol_name);
    v(leader);
    v(skip_assignment, since(9));
    v(member_id);
    v(members);
  }
};

struct SyncGroupRequest {
  static constexpr int16_t kKey = 14;
  struct Assignment {
    std::string member_id;
    Blob assignment;
    template <class V>
    void visit(V& v) {
      v(member_id);
      v(assignment);
    }
  };
  std::string group_id;
  int32_t generation_id = 0;
  std::string member_id;
  NullableString group_instance_id;
  // v5+ (KIP-559): what the member joined with; refused when the group's differ.
  NullableString protocol_type;
  NullableString protocol_name;
  std::vector<Assignment> assignments;
  template <class V>
  void visit(V& v) {
    v(group_id);
    v(generation_id);
    v(member_id);
    v(group_instance_id, since(3));
    v(protocol_type, since(5));
    v(protocol_name, since(5));
    v(assignments);
  }
};

struct SyncGroupResponse {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  NullableString protocol_type;  // v5+: the group's, null on an error
  NullableString protocol_name;
  Blob assignment;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms, since(1));
    v(error_code);
    v(protocol_type, since(5));
    v(protocol_name, since(5));
    v(assignment);
  }
};

struct HeartbeatRequest {
  static constexpr int16_t kKey = 12;
  std::string group_id;
  int32_t generation_id = 0;
  std::string member_id;
  NullableString group_instance_id;
  template <class V>
  void visit(V& v) {
    v(group_id);
    v(generation_id);
    v(member_id);
    v(group_instance_id, since(3));
  }
};

// The answer of Heartbeat: an error code after the throttle time (v1+).
struct ErrorOnlyResponse {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms, since(1));
    v(error_code);
  }
};

struct LeaveGroupRequest {
  static constexpr int16_t kKey = 13;
  struct Member {
    std::string member_id;
    NullableString group_instance_id;
    NullableString reason;  // v5+ (KIP-800): why it leaves, for the log
    template <class V>
    void visit(V& v) {
      v(member_id);
      v(group_instance_id);
      v(reason, since(5));
    }
  };
  std::string group_id;
  std::string member_id;        // v0-v2: the one member leaving
  std::vector<Member> members;  // v3+: a batch of members
  template <class V>
  void visit(V& v) {
    v(group_id);
    v(member_id, until(2));
    v(members, since(3));
  }
};

struct LeaveGroupResponse {
  struct Member {
    std::string member_id;
    NullableString group_instance_id;
    int16_t error_code = 0;
    template <class V>
    void visit(V& v) {
      v(member_id);
      v(group_instance_id);
      v(error_code);
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<Member> members;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms, since(1));
    v(error_code);
    v(members, since(3));
  }
};

struct DescribeGroupsRequest {
  static constexpr int16_t kKey = 15;
  std::vector<std::string> groups;
  bool include_authorized_operations = false;
  template <class V>
  void visit(V& v) {
    v(groups);
    v(include_authorized_operations, since(3));
  }
};

struct DescribeGroupsResponse {
  struct Member {
    std::string member_id;
    NullableString group_instance_id;
    std::string client_id;
    std::string client_host;
    Blob member_metadata;
    Blob member_assignment;
    template <class V>
    void visit(V& v) {
      v(member_id);
      v(group_instance_id, since(4));
      v(client_id);
      v(client_host);
      v(member_metadata);
      v(member_assignment);
    }
  };
  struct Group {
    int16_t error_code = 0;
    std::string group_id;
    std::string group_state;
    std::string protocol_type;
    std::string protocol_data;  // the chosen protocol's name
    std::vector<Member> members;
    int32_t authorized_operations = INT32_MIN;
    template <class V>
    void visit(V& v) {
      v(error_code);
      v(group_id);
      v(group_state);
      v(protocol_type);
      v(protocol_data);
      v(members);
      v(authorized_operations, since(3));
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Group> groups;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms, since(1));
    v(groups);
  }
};

struct ListGroupsRequest {
  static constexpr int16_t kKey = 16;
  std::vector<std::string> states_filter;  // v4+ (KIP-518): empty lists every state
  std::vector<std::string> types_filter;   // v5+ (KIP-848): "classic", "consumer"; empty: all
  template <class V>
  void visit(V& v) {
    v(states_filter, since(4));
    v(types_filter, since(5));
  }
};

struct ListGroupsResponse {
  struct Group {
    std::string group_id;
    std::string protocol_type;
    std::string group_state;  // v4+
    std::string group_type;   // v5+
    template <class V>
    void visit(V& v) {
      v(group_id);
      v(protocol_type);
      v(group_state, since(4));
      v(group_type, since(5));
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<Group> groups;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms, since(1));
    v(error_code);
    v(groups);
  }
};

struct DeleteGroupsRequest {
  static constexpr int16_t kKey = 42;
  std::vector<std::string> groups_names;
  template <class V>
  void visit(V& v) {
    v(groups_names);
  }
};

struct DeleteGroupsResponse {
  struct Result {
    std::string group_id;
    int16_t error_code = 0;
    template <class V>
    void visit(V& v) {
      v(group_id);
      v(error_code);
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
