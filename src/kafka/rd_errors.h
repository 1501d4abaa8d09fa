// Inside src/kafka/ only: turning librdkafka's error objects into KafkaError.
#pragma once

#include <librdkafka/rdkafka.h>

#include <string>

#include "kafka/errors.h"

namespace sluice::kafka {

// Throws KafkaError("<what>: <librdkafka's text>") when `err` is set.
void throw_if(const rd_kafka_error_t* err, const std::string& what);
inline void throw_if(rd_kafka_resp_err_t err, const std::string& what) {
  throw_if(static_cast<ErrorCode>(err), what);
}

// Throws the first per-partition error in `parts`, naming topic-partition.
void throw_if_any_partition_failed(const rd_kafka_topic_partition_list_t* parts,
                                   const std::string& what);

}  // namespace sluice::kafka
