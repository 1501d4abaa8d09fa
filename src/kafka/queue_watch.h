// Wakes a sleeping poll thread when a client has something for it: librdkafka
// writes to an eventfd whenever a queue (a consumer's, a producer's main queue)
// becomes non-empty, so the stage runtime can wait on one fd for both clients.
#pragma once

#include <librdkafka/rdkafka.h>

namespace sluice::kafka {

// Stops watching `watched` (if any), then — for fd >= 0 — watches `queue` (whose
// ownership moves into `watched`; null throws KafkaError naming `which`).
void watch_queue(rd_kafka_queue_t*& watched, int fd, rd_kafka_queue_t* queue, const char* which);

}  // namespace sluice::kafka
