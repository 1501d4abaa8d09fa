#include "kafka/message.h"

#include <librdkafka/rdkafka.h>

#include <charconv>

namespace sluice::kafka {

ConsumedMessage& ConsumedMessage::operator=(ConsumedMessage&& other) noexcept {
  if (this != &other) {
    reset();
    m_ = other.m_;
    other.m_ = nullptr;
  }
  return *this;
}

void ConsumedMessage::reset() {
  if (m_) rd_kafka_message_destroy(m_);
  m_ = nullptr;
}

ErrorCode ConsumedMessage::error() const {
  return m_->err;
}

std::string ConsumedMessage::error_message() const {
  return rd_kafka_message_errstr(m_);
}

bool ConsumedMessage::is_partition_eof() const {
  return m_->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
}

const void* ConsumedMessage::topic_id() const {
  return m_->rkt;
}

const char* ConsumedMessage::topic() const {
  return rd_kafka_topic_name(m_->rkt);
}

int32_t ConsumedMessage::partition() const {
  return m_->partition;
}

int64_t ConsumedMessage::offset() const {
  return m_->offset;
}

int64_t ConsumedMessage::timestamp_ms() const {
  return rd_kafka_message_timestamp(m_, nullptr);
}

size_t ConsumedMessage::size() const {
  return m_->len;
}

// Read in place: no copy of the headers.
int64_t ConsumedMessage::int_header(const char* name) const {
  rd_kafka_headers_t* headers = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  if (rd_kafka_message_headers(m_, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      rd_kafka_header_get_last(headers, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      !value) {
    return 0;
  }
  int64_t out = 0;
  const char* text = static_cast<const char*>(value);
  std::from_chars(text, text + size, out);
  return out;
}

void ConsumedMessage::fill(Record& r) const {
  if (m_->key) r.key.emplace(static_cast<const char*>(m_->key), m_->key_len);
  if (m_->payload) {
    r.value.assign(static_cast<const char*>(m_->payload), m_->len);
  } else {
    r.null_value = true;
  }
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(m_, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  r.headers.reserve(rd_kafka_header_cnt(headers));
  for (size_t i = 0;
       rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
       ++i) {
    r.headers.emplace_back(name, value ? std::string(static_cast<const char*>(value), size) : "");
  }
}

Record ConsumedMessage::to_record() const {
  Record r;
  r.topic = topic();
  r.partition = partition();
  r.offset = offset();
  r.timestamp_ms = timestamp_ms();
  fill(r);
  return r;
}

}  // namespace sluice::kafka
