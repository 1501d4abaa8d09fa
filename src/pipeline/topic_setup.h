// Creates the topics a stage writes to or re-reads (its delay topics and DLQ)
// before it starts, with the input's partition count. Subscribing to a topic
// that does not exist yet would leave the stage blind to it until the next
// metadata refresh, and clusters with auto-creation off would refuse it.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <string>
#include <vector>

namespace sluice::pipeline {

// Partition count of `topic`, or -1 (the broker's default) when it does not exist.
int partition_count(RdKafka::Handle& client, const std::string& topic, int timeout_ms);

// Creates each missing topic; existing ones are left alone. Problems are logged,
// not thrown: the stage can still run (and the log says what to fix).
void ensure_topics(RdKafka::Handle& client, const std::vector<std::string>& topics, int partitions,
                   int timeout_ms);

}  // namespace sluice::pipeline
