#include "kafka/errors.h"

namespace sluice::kafka {

void throw_if(const rd_kafka_error_t* err, const std::string& what) {
  if (err) throw KafkaError(what + ": " + rd_kafka_error_string(err));
}

void throw_if(rd_kafka_resp_err_t err, const std::string& what) {
  if (err) throw KafkaError(what + ": " + rd_kafka_err2str(err));
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
