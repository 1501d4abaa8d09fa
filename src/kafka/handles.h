// RAII ownership of librdkafka objects. Each type is a unique_ptr whose deleter is
// the matching librdkafka destroy function, so every early return and every
// exception frees what was created — the C API itself offers no such guarantee.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>

namespace sluice::kafka {

template <auto Destroy>
struct Destroyer {
  template <typename T>
  void operator()(T* p) const {
    Destroy(p);
  }
};

template <typename T, auto Destroy>
using Owned = std::unique_ptr<T, Destroyer<Destroy>>;

using Handle = Owned<rd_kafka_t, rd_kafka_destroy>;
using Queue = Owned<rd_kafka_queue_t, rd_kafka_queue_destroy>;
using Event = Owned<rd_kafka_event_t, rd_kafka_event_destroy>;
using Conf = Owned<rd_kafka_conf_t, rd_kafka_conf_destroy>;
using Metadata = Owned<const rd_kafka_metadata_t, rd_kafka_metadata_destroy>;
using TopicHandle = Owned<rd_kafka_topic_t, rd_kafka_topic_destroy>;
using Message = Owned<rd_kafka_message_t, rd_kafka_message_destroy>;
using PartitionList = Owned<rd_kafka_topic_partition_list_t, rd_kafka_topic_partition_list_destroy>;

using AdminOptions = Owned<rd_kafka_AdminOptions_t, rd_kafka_AdminOptions_destroy>;
using NewTopic = Owned<rd_kafka_NewTopic_t, rd_kafka_NewTopic_destroy>;
using NewPartitions = Owned<rd_kafka_NewPartitions_t, rd_kafka_NewPartitions_destroy>;
using DeleteTopic = Owned<rd_kafka_DeleteTopic_t, rd_kafka_DeleteTopic_destroy>;
using ConfigResource = Owned<rd_kafka_ConfigResource_t, rd_kafka_ConfigResource_destroy>;
using ListOffsetsRequest =
    Owned<rd_kafka_ListConsumerGroupOffsets_t, rd_kafka_ListConsumerGroupOffsets_destroy>;
using AlterOffsetsRequest =
    Owned<rd_kafka_AlterConsumerGroupOffsets_t, rd_kafka_AlterConsumerGroupOffsets_destroy>;

inline PartitionList new_partition_list(int size_hint) {
  return PartitionList(rd_kafka_topic_partition_list_new(size_hint));
}

}  // namespace sluice::kafka
