// AdminClient: creating, growing, deleting and describing topics.
#include "kafka/admin_client.h"
#include "kafka/connection.h"
#include "kafka/handles.h"
#include "kafka/rd_errors.h"

namespace sluice::kafka {
namespace {

// CreateTopics, CreatePartitions and DeleteTopics answer per topic; report the first failure.
void throw_if_topic_failed(const rd_kafka_topic_result_t** results, size_t n,
                           const std::string& what) {
  for (size_t i = 0; i < n; ++i) {
    if (rd_kafka_topic_result_error(results[i])) {
      throw KafkaError(what + " '" + rd_kafka_topic_result_name(results[i]) +
                       "' failed: " + rd_kafka_topic_result_error_string(results[i]));
    }
  }
}

}  // namespace

std::map<std::string, std::string> AdminClient::topic_configs(const std::string& topic) {
  ConfigResource resource(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str()));
  rd_kafka_ConfigResource_t* request = resource.get();
  auto ev = run("describing the configs of topic '" + topic + "'", [&](auto* options, auto* queue) {
    rd_kafka_DescribeConfigs(conn_->get(), &request, 1, options, queue);
  });
  size_t n = 0;
  const rd_kafka_ConfigResource_t** results = rd_kafka_DescribeConfigs_result_resources(
      rd_kafka_event_DescribeConfigs_result(ev.get()), &n);
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < n; ++i) {
    if (rd_kafka_ConfigResource_error(results[i])) {
      throw KafkaError("describing the configs of topic '" + topic +
                       "' failed: " + rd_kafka_ConfigResource_error_string(results[i]));
    }
    size_t count = 0;
    const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(results[i], &count);
    for (size_t e = 0; e < count; ++e) {
      const char* value = rd_kafka_ConfigEntry_value(entries[e]);
      out[rd_kafka_ConfigEntry_name(entries[e])] = value ? value : "";
    }
  }
  return out;
}

void AdminClient::create_topic(const NewTopicSpec& spec) {
  char err[512];
  NewTopic topic(rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions, spec.replication_factor,
                                       err, sizeof err));
  if (!topic) throw KafkaError("cannot create topic '" + spec.name + "': " + err);
  for (const auto& [key, value] : spec.configs) {
    throw_if(rd_kafka_NewTopic_set_config(topic.get(), key.c_str(), value.c_str()),
             "cannot set " + key + " on topic '" + spec.name + "'");
  }
  rd_kafka_NewTopic_t* request = topic.get();
  auto ev = run("creating topic '" + spec.name + "'", [&](auto* options, auto* queue) {
    rd_kafka_CreateTopics(conn_->get(), &request, 1, options, queue);
  });
  size_t n = 0;
  const auto** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()), &n);
  throw_if_topic_failed(results, n, "creating topic");
}

void AdminClient::add_partitions(const std::string& topic, int total_partitions) {
  char err[512];
  NewPartitions grow(rd_kafka_NewPartitions_new(
      topic.c_str(), static_cast<size_t>(total_partitions), err, sizeof err));
  if (!grow) throw KafkaError("cannot grow topic '" + topic + "': " + err);
  rd_kafka_NewPartitions_t* request = grow.get();
  auto ev = run("adding partitions to topic '" + topic + "'", [&](auto* options, auto* queue) {
    rd_kafka_CreatePartitions(conn_->get(), &request, 1, options, queue);
  });
  size_t n = 0;
  const auto** results =
      rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev.get()), &n);
  throw_if_topic_failed(results, n, "adding partitions to topic");
}

void AdminClient::delete_topic(const std::string& topic) {
  DeleteTopic doomed(rd_kafka_DeleteTopic_new(topic.c_str()));
  rd_kafka_DeleteTopic_t* request = doomed.get();
  auto ev = run("deleting topic '" + topic + "'", [&](auto* options, auto* queue) {
    rd_kafka_DeleteTopics(conn_->get(), &request, 1, options, queue);
  });
  size_t n = 0;
  const auto** results =
      rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev.get()), &n);
  throw_if_topic_failed(results, n, "deleting topic");
}

}  // namespace sluice::kafka
