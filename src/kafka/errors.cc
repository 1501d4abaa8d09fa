#include "kafka/errors.h"

#include "kafka/rd_errors.h"

namespace sluice::kafka {

std::string error_text(ErrorCode err) {
  return rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err));
}

bool is_queue_full(ErrorCode err) {
  return err == RD_KAFKA_RESP_ERR__QUEUE_FULL;
}

bool is_connection_lost(ErrorCode err) {
  return err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || err == RD_KAFKA_RESP_ERR__TRANSPORT;
}

bool is_login_refused(ErrorCode err) {
  return err == RD_KAFKA_RESP_ERR__AUTHENTICATION ||
         err == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED;
}

bool needs_new_producer(ErrorCode err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__FATAL:
    case RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER:
    case RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID:
    case RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH:
    case RD_KAFKA_RESP_ERR_INVALID_PRODUCER_ID_MAPPING:
    case RD_KAFKA_RESP_ERR_PRODUCER_FENCED:
      return true;
    default:
      return false;
  }
}

void throw_if(ErrorCode err, const std::string& what) {
  if (err) throw KafkaError(what + ": " + error_text(err));
}

void throw_if(const rd_kafka_error_t* err, const std::string& what) {
  if (err) throw KafkaError(what + ": " + rd_kafka_error_string(err));
}

void throw_if_any_partition_failed(const rd_kafka_topic_partition_list_t* parts,
                                   const std::string& what) {
  for (int i = 0; parts && i < parts->cnt; ++i) {
    const auto& p = parts->elems[i];
    throw_if(p.err, what + " (" + p.topic + " partition " + std::to_string(p.partition) + ")");
  }
}

std::string unreachable_message(const std::string& bootstrap, const std::string& detail) {
  return "cannot reach " + bootstrap + detail + " — is the broker running? check --bootstrap";
}

}  // namespace sluice::kafka
