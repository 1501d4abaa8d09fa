// Produce (key 0), v0-v13. v0-v2 carry legacy message sets (magic 0/1), v3+
// record batches (magic 2). v9+ is flexible; v10 adds only tagged fields to the
// answer (the partition's current leader, node endpoints: sent when a client
// wrote to a follower, which never happens on this one broker, so none are
// written), v11 only the TRANSACTION_ABORTABLE error and v12 nothing on the wire
// (KIP-890: the producer may send to a partition not yet added to its
// transaction). v13 names topics by id, in the request and in the answer
// (KIP-516).
#pragma once

#include "broker/protocol/codec.h"

namespace sluice::broker::protocol {

struct ProduceRequest {
  static constexpr int16_t kKey = 0;
  struct Partition {
    int32_t index = 0;
    Records records;
    template <class V>
    void visit(V& v) {
      v(index);
      v(records);
    }
  };
  static constexpr int16_t kFirstTopicIdVersion = 13;
  using Topic = TopicIdPartitions<Partition, kFirstTopicIdVersion>;
  NullableString transactional_id;
  int16_t acks = 0;
  int32_t timeout_ms = 0;
  std::vector<Topic> topics;
  template <class V>
  void visit(V& v) {
    v(transactional_id, since(3));
    v(acks);
    v(timeout_ms);
    v(topics);
  }
};

struct ProduceResponse {
  struct RecordError {
    int32_t batch_index = 0;
    NullableString message;
    template <class V>
    void visit(V& v) {
      v(batch_index);
      v(message);
    }
  };
  struct Partition {
    int32_t index = 0;
    int16_t error_code = 0;
    int64_t base_offset = -1;
    int64_t log_append_time_ms = -1;
    int64_t log_start_offset = -1;
    std::vector<RecordError> record_errors;
    NullableString error_message;
    template <class V>
    void visit(V& v) {
      v(index);
      v(error_code);
      v(base_offset);
      v(log_append_time_ms, since(2));
      v(log_start_offset, since(5));
      v(record_errors, since(8));
      v(error_message, since(8));
    }
  };
  using Topic = TopicIdPartitions<Partition, ProduceRequest::kFirstTopicIdVersion>;
  std::vector<Topic> responses;
  int32_t throttle_time_ms = 0;
  template <class V>
  void visit(V& v) {
    v(responses);
    v(throttle_time_ms, since(1));
  }
};

}  // namespace sluice::broker::protocol
