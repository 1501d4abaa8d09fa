#include "kafka/topic_setup.h"

#include <librdkafka/rdkafka.h>

#include "common/log.h"
#include "kafka/handles.h"

namespace sluice::kafka {

int partition_count(Producer& client, const std::string& topic, int timeout_ms) {
  TopicHandle t(rd_kafka_topic_new(client.handle(), topic.c_str(), nullptr));
  const rd_kafka_metadata_t* md = nullptr;
  if (!t ||
      rd_kafka_metadata(client.handle(), 0, t.get(), &md, timeout_ms) !=
          RD_KAFKA_RESP_ERR_NO_ERROR ||
      !md)
    return -1;
  Metadata owned(md);
  for (int i = 0; i < md->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& tm = md->topics[i];
    if (tm.topic == topic && tm.err == RD_KAFKA_RESP_ERR_NO_ERROR) return tm.partition_cnt;
  }
  return -1;
}

void ensure_topics(Producer& client, const std::vector<std::string>& topics, int partitions,
                   int timeout_ms) {
  rd_kafka_t* rk = client.handle();
  char errstr[512];
  std::vector<rd_kafka_NewTopic_t*> wanted;
  for (const auto& name : topics) {
    rd_kafka_NewTopic_t* nt =
        rd_kafka_NewTopic_new(name.c_str(), partitions, -1, errstr, sizeof errstr);
    if (nt) {
      wanted.push_back(nt);
    } else {
      log::warn("stage", "cannot describe topic '{}' for creation: {}", name, errstr);
    }
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, wanted.data(), wanted.size(), nullptr, queue);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, timeout_ms);
  if (!ev) {
    log::warn("stage", "creating topics timed out after {} ms; they may be auto-created later",
              timeout_ms);
  } else if (const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev)) {
    size_t n = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(res, &n);
    for (size_t i = 0; i < n; ++i) {
      rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        log::info("stage", "created topic '{}'", rd_kafka_topic_result_name(results[i]));
      } else if (err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        log::warn("stage", "cannot create topic '{}': {}", rd_kafka_topic_result_name(results[i]),
                  rd_kafka_topic_result_error_string(results[i]));
      }
    }
  }
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(queue);
  rd_kafka_NewTopic_destroy_array(wanted.data(), wanted.size());
}

}  // namespace sluice::kafka
