// One consumed message as librdkafka delivered it, owned until destroyed. The
// scheduling fields (partition, offset, size, one integer header) are read in
// place without copying; the payload, key and headers are copied out only by
// fill()/to_record(), so a caller can defer that work to another thread.
//
// Invariant: the underlying librdkafka message is destroyed exactly once, by
// whichever ConsumedMessage owns it last (move-only, like unique_ptr).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "kafka/errors.h"
#include "kafka/record.h"

struct rd_kafka_message_s;

namespace sluice::kafka {

class ConsumedMessage {
 public:
  ConsumedMessage() = default;
  explicit ConsumedMessage(rd_kafka_message_s* message) : m_(message) {}
  ConsumedMessage(ConsumedMessage&& other) noexcept : m_(other.m_) { other.m_ = nullptr; }
  ConsumedMessage& operator=(ConsumedMessage&& other) noexcept;
  ConsumedMessage(const ConsumedMessage&) = delete;
  ConsumedMessage& operator=(const ConsumedMessage&) = delete;
  ~ConsumedMessage() { reset(); }

  explicit operator bool() const { return m_ != nullptr; }
  void reset();

  // An error event rather than a record: 0 when it is a record.
  ErrorCode error() const;
  std::string error_message() const;
  bool is_partition_eof() const;

  // Identifies the topic without building its name: equal for every message of
  // one topic of one client, so callers can memoise per-partition lookups.
  const void* topic_id() const;
  const char* topic() const;
  int32_t partition() const;
  int64_t offset() const;
  int64_t timestamp_ms() const;  // -1 when the record has none
  size_t size() const;           // payload bytes
  // The last header called `name` read as a decimal integer; 0 when absent.
  int64_t int_header(const char* name) const;

  // Copies key, value and headers into `record` (topic, partition, offset and
  // timestamp are left to the caller, who usually has them already).
  void fill(Record& record) const;
  Record to_record() const;

 private:
  rd_kafka_message_s* m_ = nullptr;
};

}  // namespace sluice::kafka
