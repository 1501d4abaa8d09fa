#include "kafka/record_reader.h"

#include "kafka/connection.h"
#include "kafka/handles.h"

namespace sluice::kafka {
namespace {

// One record is wanted: do not prefetch thousands behind it.
const Settings kReaderSettings = {{"queued.min.messages", "1"}, {"enable.partition.eof", "true"}};

}  // namespace

RecordReader::RecordReader(const Endpoint& endpoint)
    : conn_(std::make_unique<Connection>(endpoint, RD_KAFKA_CONSUMER, kReaderSettings)) {}

RecordReader::~RecordReader() = default;

std::optional<int64_t> RecordReader::timestamp_at(const std::string& topic, int32_t partition,
                                                  int64_t offset) {
  TopicHandle handle(rd_kafka_topic_new(conn_->get(), topic.c_str(), nullptr));
  if (!handle || rd_kafka_consume_start(handle.get(), partition, offset) != 0) return std::nullopt;
  Message message(rd_kafka_consume(handle.get(), partition, conn_->endpoint().timeout_ms));
  rd_kafka_consume_stop(handle.get(), partition);
  if (!message || message->err) return std::nullopt;
  int64_t ts = rd_kafka_message_timestamp(message.get(), nullptr);
  return ts >= 0 ? std::optional(ts) : std::nullopt;
}

}  // namespace sluice::kafka
