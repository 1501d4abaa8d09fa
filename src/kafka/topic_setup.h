// Creates the topics a stage writes to or re-reads (its delay topics and DLQ)
// before it starts, with the input's partition count. Subscribing to a topic
// that does not exist yet would leave the stage blind to it until the next
// metadata refresh, and clusters with auto-creation off would refuse it.
//
// Through the stage's own producer rather than an AdminClient: a stage must
// start (and keep retrying) while the cluster is down, so nothing here throws.
#pragma once

#include <string>
#include <vector>

#include "kafka/producer.h"

namespace sluice::kafka {

// Partition count of `topic`, or -1 (the broker's default) when it does not
// exist or the cluster did not answer within timeout_ms.
int partition_count(Producer& client, const std::string& topic, int timeout_ms);

// Creates each missing topic; existing ones are left alone. Problems are logged,
// not thrown: the stage can still run (and the log says what to fix).
void ensure_topics(Producer& client, const std::vector<std::string>& topics, int partitions,
                   int timeout_ms);

}  // namespace sluice::kafka
