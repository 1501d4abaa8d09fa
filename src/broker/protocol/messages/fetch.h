// Fetch (key 1), v0-v18. Fetch sessions (v7+) are answered sessionless
// (session id 0), which every client must accept (KIP-227: a client that asked
// for a session and got id 0 sends full fetches). v12 is flexible and adds the
// fetcher's last fetched epoch. From v13 topics are named by id (KIP-516), both
// in the request (and its forgotten topics) and in the answer. v15 moves the
// replica id into a tagged ReplicaState (KIP-903), v17 adds a tagged replica
// directory id and v18 a tagged high watermark per partition: tagged fields a
// consumer never sends and the decoder skips. The answer's diverging epoch,
// current leader, snapshot id (per partition) and node endpoints (v16+) are
// tagged fields too, never written (see fetch.cc).
#pragma once

#include "broker/protocol/codec.h"

namespace sluice::broker::protocol {

struct FetchRequest {
  static constexpr int16_t kKey = 1;
  struct Partition {
    int32_t index = 0;
    int32_t current_leader_epoch = -1;
    int64_t fetch_offset = 0;
    int64_t log_start_offset = -1;
    int32_t max_bytes = 0;
    // Declared last so that {index, epoch, offset, start, max} initializers stay
    // valid; on the wire it follows fetch_offset.
    int32_t last_fetched_epoch = -1;
    template <class V>
    void visit(V& v) {
      v(index);
      v(current_leader_epoch, since(9));
      v(fetch_offset);
      v(last_fetched_epoch, since(12));
      v(log_start_offset, since(5));
      v(max_bytes);
    }
  };
  static constexpr int16_t kFirstTopicIdVersion = 13;
  using Topic = TopicIdPartitions<Partition, kFirstTopicIdVersion>;
  using Forgotten = TopicIdPartitions<int32_t, kFirstTopicIdVersion>;
  int32_t replica_id = -1;
  int32_t max_wait_ms = 0;
  int32_t min_bytes = 0;
  int32_t max_bytes = INT32_MAX;
  int8_t isolation_level = 0;
  int32_t session_id = 0;
  int32_t session_epoch = -1;
  std::vector<Topic> topics;
  std::vector<Forgotten> forgotten;
  std::string rack_id;
  template <class V>
  void visit(V& v) {
    v(replica_id, until(14));  // v15+: in the tagged ReplicaState
    v(max_wait_ms);
    v(min_bytes);
    v(max_bytes, since(3));
    v(isolation_level, since(4));
    v(session_id, since(7));
    v(session_epoch, since(7));
    v(topics);
    v(forgotten, since(7));
    v(rack_id, since(11));
  }
};

struct FetchResponse {
  struct AbortedTransaction {
    int64_t producer_id = 0;
    int64_t first_offset = 0;
    template <class V>
    void visit(V& v) {
      v(producer_id);
      v(first_offset);
    }
  };
  struct Partition {
    int32_t index = 0;
    int16_t error_code = 0;
    int64_t high_watermark = -1;
    int64_t last_stable_offset = -1;
    int64_t log_start_offset = -1;
    std::optional<std::vector<AbortedTransaction>> aborted_transactions;
    int32_t preferred_read_replica = -1;
    Records records = Records::of({});  // empty, never null: librdkafka rejects a null record set
    template <class V>
    void visit(V& v) {
      v(index);
      v(error_code);
      v(high_watermark);
      v(last_stable_offset, since(4));
      v(log_start_offset, since(5));
      v(aborted_transactions, since(4));
      v(preferred_read_replica, since(11));
      v(records);
    }
  };
  using Topic = TopicIdPartitions<Partition, FetchRequest::kFirstTopicIdVersion>;
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int32_t session_id = 0;
  std::vector<Topic> responses;
  template <class V>
  void visit(V& v) {
    v(throttle_time_ms, since(1));
    v(error_code, since(7));
    v(session_id, since(7));
    v(responses);
  }
};

}  // namespace sluice::broker::protocol
