#include "kafka/queue_watch.h"

#include <cstdint>
#include <string>

#include "kafka/errors.h"

namespace sluice::kafka {

void watch_queue(rd_kafka_queue_t*& watched, int fd, rd_kafka_queue_t* queue, const char* which) {
  static constexpr uint64_t kOne = 1;  // an eventfd adds each 8-byte write to its counter
  if (watched) {
    rd_kafka_queue_io_event_enable(watched, -1, nullptr, 0);
    rd_kafka_queue_destroy(watched);
    watched = nullptr;
  }
  if (fd < 0) {
    if (queue) rd_kafka_queue_destroy(queue);
    return;
  }
  if (!queue) throw KafkaError(std::string("librdkafka gave no ") + which + " queue to watch");
  watched = queue;
  rd_kafka_queue_io_event_enable(watched, fd, &kOne, sizeof kOne);
}

}  // namespace sluice::kafka
