// Transactions (KIP-98, KIP-447): AddPartitionsToTxn (24) v0-v3, AddOffsetsToTxn
// (25) v0-v4, EndTxn (26) v0-v4, TxnOffsetCommit (28) v0-v4, flexible from v3;
// DescribeTransactions (65) v0 and ListTransactions (66) v0-v1, flexible from v0.
// AddPartitionsToTxn v4+ is the brokers' batched form and EndTxn v5 is
// transactions v2 (KIP-890), which this broker does not advertise
// (docs/transactions.md). InitProducerId is in offsets.h.
#pragma once

#include "broker/protocol/codec.h"
#include "broker/protocol/messages/offsets.h"

namespace sluice::broker::protocol {

struct AddPartitionsToTxnRequest {
  static constexpr int16_t kKey = 24;
  struct Topic {
    std::string name;
    std::vector<int32_t> partitions;
    template <class V>
    void visit(V& v) {
      v(name);
      v(partitions);
    }
  };
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  std::vector<Topic> topics;
  template <class V>
  void visit(V& v) {
    v(transactional_id);
    v(producer_id);
    v(producer_epoch);
    v(topics);
  }
};

struct AddPartitionsToTxnResponse {
  int32_t throttle_time_ms = 0;
  std::vector<PartitionErrors::Topic> results_by_topic;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms);
    v(results_by_topic);
  }
};

struct AddOffsetsToTxnRequest {
  static constexpr int16_t kKey = 25;
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  std::string group_id;
  template <class V>
  void visit(V& v) {
    v(transactional_id);
    v(producer_id);
    v(producer_epoch);
    v(group_id);
  }
};

// The answer of AddOffsetsToTxn and EndTxn (v0-v4).
struct TxnErrorResponse {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms);
    v(error_code);
  }
};

struct EndTxnRequest {
  static constexpr int16_t kKey = 26;
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  bool committed = false;
  template <class V>
  void visit(V& v) {
    v(transactional_id);
    v(producer_id);
    v(producer_epoch);
    v(committed);
  }
};

struct TxnOffsetCommitRequest {
  static constexpr int16_t kKey = 28;
  struct Partition {
    int32_t index = 0;
    int64_t committed_offset = 0;
    int32_t committed_leader_epoch = -1;
    NullableString committed_metadata;
    template <class V>
    void visit(V& v) {
      v(index);
      v(committed_offset);
      v(committed_leader_epoch, since(2));
      v(committed_metadata);
    }
  };
  using Topic = TopicPartitions<Partition>;
  std::string transactional_id;
  std::string group_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t generation_id = -1;
  std::string member_id;
  NullableString group_instance_id;
  std::vector<Topic> topics;
  template <class V>
  void visit(V& v) {
    v(transactional_id);
    v(group_id);
    v(producer_id);
    v(producer_epoch);
    v(generation_id, since(3));
    v(member_id, since(3));
    v(group_instance_id, since(3));
    v(topics);
  }
};

struct TxnOffsetCommitResponse {
  int32_t throttle_time_ms = 0;
  std::vector<PartitionErrors::Topic> topics;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms);
    v(topics);
  }
};

struct DescribeTransactionsRequest {
  static constexpr int16_t kKey = 65;
  std::vector<std::string> transactional_ids;
  template <class V>
  void visit(V& v) {
    v(transactional_ids);
  }
};

struct DescribeTransactionsResponse {
  struct Topic {
    std::string topic;
    std::vector<int32_t> partitions;
    template <class V>
    void visit(V& v) {
      v(topic);
      v(partitions);
    }
  };
  struct State {
    int16_t error_code = 0;
    std::string transactional_id;
    std::string transaction_state;
    int32_t transaction_timeout_ms = 0;
    int64_t transaction_start_time_ms = -1;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    std::vector<Topic> topics;
    template <class V>
    void visit(V& v) {
      v(error_code);
      v(transactional_id);
      v(transaction_state);
      v(transaction_timeout_ms);
      v(transaction_start_time_ms);
      v(producer_id);
      v(producer_epoch);
      v(topics);
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<State> transaction_states;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms);
    v(transaction_states);
  }
};

struct ListTransactionsRequest {
  static constexpr int16_t kKey = 66;
  std::vector<std::string> state_filters;
  std::vector<int64_t> producer_id_filters;
  int64_t duration_filter = -1;  // v1+: only transactions running longer, in ms
  template <class V>
  void visit(V& v) {
    v(state_filters);
    v(producer_id_filters);
    v(duration_filter, since(1));
  }
};

struct ListTransactionsResponse {
  struct State {
    std::string transactional_id;
    int64_t producer_id = -1;
    std::string transaction_state;
    template <class V>
    void visit(V& v) {
      v(transactional_id);
      v(producer_id);
      v(transaction_state);
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<std::string> unknown_state_filters;
  std::vector<State> transaction_states;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms);
    v(error_code);
    v(unknown_state_filters);
    v(transaction_states);
  }
};

}  // namespace sluice::broker::protocol
