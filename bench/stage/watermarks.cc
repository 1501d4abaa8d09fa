// query_watermark_offsets asks the partition leader (ListOffsets), so the count
// is what the broker has acknowledged, not what a client has cached.
#include "watermarks.h"

#include <stdexcept>

#include "../broker/kafka_clients.h"

namespace sluice::bench {

Watermarks::Watermarks(const std::string& bootstrap, const std::string& topic, int32_t partitions)
    : topic_(topic), partitions_(partitions) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  // The broker closes idle connections; between polls that is expected, not news.
  if (conf->set("bootstrap.servers", bootstrap, err) != RdKafka::Conf::CONF_OK ||
      conf->set("log.connection.close", "false", err) != RdKafka::Conf::CONF_OK) {
    throw std::runtime_error("watermarks client: " + err);
  }
  client_.reset(RdKafka::Producer::create(conf.get(), err));
  if (!client_) throw std::runtime_error("watermarks client: " + err);
  ensure_topic(client_.get(), topic_, partitions_);
}

int64_t Watermarks::records() {
  int64_t total = 0;
  for (int32_t p = 0; p < partitions_; ++p) {
    int64_t low = 0;
    int64_t high = 0;
    if (client_->query_watermark_offsets(topic_, p, &low, &high, 5000) == RdKafka::ERR_NO_ERROR) {
      total += high;
    }
  }
  return total;
}

}  // namespace sluice::bench
