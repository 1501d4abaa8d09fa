// AdminClient: connecting, the request/result plumbing, metadata and log offsets.
#include "kafka/admin_client.h"

#include "kafka/connection.h"
#include "kafka/handles.h"
#include "kafka/rd_errors.h"

namespace sluice::kafka {
namespace {

// A producer handle never sends messages here; it is the cheapest admin handle.
// allow.auto.create.topics=false: looking a topic up must not create it.
const Settings kAdminSettings = {{"allow.auto.create.topics", "false"},
                                 {"reconnect.backoff.ms", "50"},
                                 {"reconnect.backoff.max.ms", "500"}};

std::vector<int32_t> ids(const int32_t* first, int count) {
  return {first, first + count};
}

TopicInfo to_topic(const rd_kafka_metadata_topic_t& t) {
  TopicInfo topic{t.topic, {}, t.err ? rd_kafka_err2str(t.err) : ""};
  for (int p = 0; p < t.partition_cnt; ++p) {
    const auto& mp = t.partitions[p];
    topic.partitions.push_back({mp.id, mp.leader, ids(mp.replicas, mp.replica_cnt),
                                ids(mp.isrs, mp.isr_cnt), mp.err ? rd_kafka_err2str(mp.err) : ""});
  }
  return topic;
}

}  // namespace

AdminClient::AdminClient(const Endpoint& endpoint)
    : conn_(std::make_unique<Connection>(endpoint, RD_KAFKA_PRODUCER, kAdminSettings)),
      results_(rd_kafka_queue_new(conn_->get()), &rd_kafka_queue_destroy) {
  conn_->fetch_metadata(/*all_topics=*/false);
}

AdminClient::~AdminClient() = default;

const Endpoint& AdminClient::endpoint() const {
  return conn_->endpoint();
}

AdminClient::ResultEvent AdminClient::run(const std::string& what, const Submit& submit) {
  const int timeout_ms = endpoint().timeout_ms;
  AdminOptions options(rd_kafka_AdminOptions_new(conn_->get(), RD_KAFKA_ADMIN_OP_ANY));
  char err[256];
  rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms, err, sizeof err);
  submit(options.get(), results_.get());
  // The request times itself out after timeout_ms; the extra second lets that answer arrive.
  ResultEvent ev(rd_kafka_queue_poll(results_.get(), timeout_ms + 1000), &rd_kafka_event_destroy);
  if (!ev) {
    throw KafkaError(what + ": no answer from " + endpoint().bootstrap + " within " +
                     std::to_string(timeout_ms) + " ms; retry with a larger --timeout-ms");
  }
  if (rd_kafka_event_error(ev.get()))
    throw KafkaError(what + ": " + rd_kafka_event_error_string(ev.get()));
  return ev;
}

ClusterInfo AdminClient::cluster() {
  Metadata md = conn_->fetch_metadata(/*all_topics=*/true);
  ClusterInfo info;
  for (int i = 0; i < md->broker_cnt; ++i) {
    const auto& b = md->brokers[i];
    info.brokers.push_back({b.id, std::string(b.host) + ":" + std::to_string(b.port)});
  }
  for (int t = 0; t < md->topic_cnt; ++t) info.topics.push_back(to_topic(md->topics[t]));
  // Both were learnt from the metadata answer just received: no further wait.
  info.controller = rd_kafka_controllerid(conn_->get(), 0);
  if (char* id = rd_kafka_clusterid(conn_->get(), 0)) {
    info.cluster_id = id;
    rd_kafka_mem_free(conn_->get(), id);
  }
  return info;
}

std::optional<TopicInfo> AdminClient::find_topic(const std::string& name) {
  // All topics, not just `name`: a request naming a missing topic may create it
  // on brokers (or protocol versions) that ignore allow.auto.create.topics.
  for (auto& topic : cluster().topics) {
    if (topic.name == name) return std::move(topic);
  }
  return std::nullopt;
}

// Not rd_kafka_query_watermark_offsets: before librdkafka 2.3 it ignores its timeout
// and waits for ever while the partition's leader is down (librdkafka #2588). That hung
// `sluice up`'s supervisor, the one process that restarts a killed broker. ListOffsets
// for the special times "earliest" (-2) and "latest" (-1) gives the same two offsets.
Watermarks AdminClient::watermarks(const std::string& topic, int32_t partition) {
  const std::string what =
      "reading the log offsets of " + topic + " partition " + std::to_string(partition);
  Watermarks w;
  w.low = list_offsets(topic, {partition}, RD_KAFKA_OFFSET_BEGINNING, what).at(partition);
  w.high = list_offsets(topic, {partition}, RD_KAFKA_OFFSET_END, what).at(partition);
  return w;
}

std::map<int32_t, int64_t> AdminClient::offsets_for_time(const std::string& topic,
                                                         const std::vector<int32_t>& partitions,
                                                         int64_t timestamp_ms) {
  return list_offsets(topic, partitions, timestamp_ms, "looking up offsets by time in " + topic);
}

std::map<int32_t, int64_t> AdminClient::list_offsets(const std::string& topic,
                                                     const std::vector<int32_t>& partitions,
                                                     int64_t timestamp_ms,
                                                     const std::string& what) {
  PartitionList parts = new_partition_list(static_cast<int>(partitions.size()));
  for (int32_t p : partitions) {
    rd_kafka_topic_partition_list_add(parts.get(), topic.c_str(), p)->offset = timestamp_ms;
  }
  throw_if(rd_kafka_offsets_for_times(conn_->get(), parts.get(), endpoint().timeout_ms), what);
  throw_if_any_partition_failed(parts.get(), what);
  std::map<int32_t, int64_t> out;
  for (int i = 0; i < parts->cnt; ++i) out[parts->elems[i].partition] = parts->elems[i].offset;
  return out;
}

}  // namespace sluice::kafka
