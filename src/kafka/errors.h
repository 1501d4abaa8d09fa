// Errors from the Kafka layer, worded for an operator: what failed, with which
// input, and what to do. Callers print what() as is; no codes to decode.
#pragma once

#include <librdkafka/rdkafka.h>

#include <stdexcept>
#include <string>

namespace sluice::kafka {

class KafkaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws KafkaError("<what>: <librdkafka's text>") when `err` is set.
void throw_if(const rd_kafka_error_t* err, const std::string& what);
void throw_if(rd_kafka_resp_err_t err, const std::string& what);

// Throws the first per-partition error in `parts`, naming topic-partition.
void throw_if_any_partition_failed(const rd_kafka_topic_partition_list_t* parts,
                                   const std::string& what);

// "cannot reach HOST:PORT<detail> — is the broker running? check --bootstrap", where
// detail is e.g. ": connection refused" or " within 10000 ms: no answer".
std::string unreachable_message(const std::string& bootstrap, const std::string& detail);

}  // namespace sluice::kafka
