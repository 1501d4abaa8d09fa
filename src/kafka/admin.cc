#include "kafka/admin.h"

#include <chrono>
#include <cstdlib>
#include <thread>

namespace sluice::kafka {
namespace {

std::string unreachable(const std::string& bootstrap, int timeout_ms, const std::string& why) {
  return "cannot reach Kafka at " + bootstrap + " within " + std::to_string(timeout_ms) + " ms: " + why +
         " — is the broker running? check --bootstrap";
}

void check_error(const char* what, const rd_kafka_error_t* err) {
  if (err) throw AdminError(std::string(what) + ": " + rd_kafka_error_string(err));
}

void check_topic_results(const char* what, const rd_kafka_topic_result_t** results, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (rd_kafka_topic_result_error(results[i])) {
      throw AdminError(std::string(what) + " '" + rd_kafka_topic_result_name(results[i]) +
                       "' failed: " + rd_kafka_topic_result_error_string(results[i]));
    }
  }
}

using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, decltype(&rd_kafka_topic_partition_list_destroy)>;
PartitionList partition_list(int size) {
  return {rd_kafka_topic_partition_list_new(size), &rd_kafka_topic_partition_list_destroy};
}

}  // namespace

AdminClient::AdminClient(const std::string& bootstrap, int timeout_ms) : bootstrap_(bootstrap), timeout_ms_(timeout_ms) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);  // the CLI reports errors itself
  if (const char* debug = std::getenv("SLUICE_RDKAFKA_DEBUG")) {  // e.g. "admin,protocol" when diagnosing
    rd_kafka_conf_set(conf, "debug", debug, err, sizeof err);
    rd_kafka_conf_set(conf, "log_level", "7", err, sizeof err);
  }
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk_) throw AdminError(std::string("cannot create a Kafka client: ") + err);
  queue_ = rd_kafka_queue_new(rk_);
}

AdminClient::~AdminClient() {
  if (queue_) rd_kafka_queue_destroy(queue_);
  if (rk_) rd_kafka_destroy(rk_);
}

template <typename Submit>
AdminClient::Event AdminClient::request(const char* what, Submit submit) {
  rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(rk_, RD_KAFKA_ADMIN_OP_ANY);
  char err[256];
  rd_kafka_AdminOptions_set_request_timeout(opts, timeout_ms_, err, sizeof err);
  submit(opts, queue_);
  rd_kafka_AdminOptions_destroy(opts);
  Event ev(rd_kafka_queue_poll(queue_, timeout_ms_ + 1000));
  if (!ev) throw AdminError(unreachable(bootstrap_, timeout_ms_, std::string(what) + " got no answer"));
  if (rd_kafka_event_error(ev.get())) {
    throw AdminError(std::string(what) + " failed: " + rd_kafka_event_error_string(ev.get()));
  }
  return ev;
}

ClusterInfo AdminClient::metadata(const std::optional<std::string>& topic) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_topic_t* rkt = topic ? rd_kafka_topic_new(rk_, topic->c_str(), nullptr) : nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk_, topic ? 0 : 1, rkt, &md, timeout_ms_);
  if (rkt) rd_kafka_topic_destroy(rkt);
  if (err) throw AdminError(unreachable(bootstrap_, timeout_ms_, rd_kafka_err2str(err)));
  ClusterInfo info;
  for (int i = 0; i < md->broker_cnt; ++i) {
    info.brokers.emplace_back(md->brokers[i].id, std::string(md->brokers[i].host) + ":" +
                                                     std::to_string(md->brokers[i].port));
  }
  info.controller = rd_kafka_controllerid(rk_, 0);
  if (char* id = rd_kafka_clusterid(rk_, 0)) {
    info.cluster_id = id;
    rd_kafka_mem_free(rk_, id);
  }
  for (int t = 0; t < md->topic_cnt; ++t) {
    const auto& mt = md->topics[t];
    TopicInfo ti{mt.topic, {}, mt.err ? rd_kafka_err2str(mt.err) : ""};
    for (int p = 0; p < mt.partition_cnt; ++p) {
      const auto& mp = mt.partitions[p];
      PartitionInfo pi{mp.id, mp.leader, {mp.replicas, mp.replicas + mp.replica_cnt}, {mp.isrs, mp.isrs + mp.isr_cnt},
                       mp.err ? rd_kafka_err2str(mp.err) : ""};
      ti.partitions.push_back(std::move(pi));
    }
    info.topics.push_back(std::move(ti));
  }
  rd_kafka_metadata_destroy(md);
  return info;
}

std::map<std::string, std::string> AdminClient::topic_configs(const std::string& topic) {
  rd_kafka_ConfigResource_t* res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
  Event ev = request("describing configs", [&](auto* opts, auto* q) { rd_kafka_DescribeConfigs(rk_, &res, 1, opts, q); });
  rd_kafka_ConfigResource_destroy(res);
  std::map<std::string, std::string> out;
  size_t n = 0;
  const rd_kafka_ConfigResource_t** results =
      rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev.get()), &n);
  for (size_t i = 0; i < n; ++i) {
    if (rd_kafka_ConfigResource_error(results[i])) {
      throw AdminError("describing configs of '" + topic + "' failed: " + rd_kafka_ConfigResource_error_string(results[i]));
    }
    size_t cnt = 0;
    const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(results[i], &cnt);
    for (size_t e = 0; e < cnt; ++e) {
      const char* v = rd_kafka_ConfigEntry_value(entries[e]);
      out[rd_kafka_ConfigEntry_name(entries[e])] = v ? v : "";
    }
  }
  return out;
}

void AdminClient::create_topic(const std::string& name, int partitions, int replication_factor,
                               const std::map<std::string, std::string>& configs) {
  char err[512];
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(name.c_str(), partitions, replication_factor, err, sizeof err);
  if (!nt) throw AdminError("cannot create topic '" + name + "': " + err);
  for (const auto& [k, v] : configs) rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
  Event ev = request("creating a topic", [&](auto* opts, auto* q) { rd_kafka_CreateTopics(rk_, &nt, 1, opts, q); });
  rd_kafka_NewTopic_destroy(nt);
  size_t n = 0;
  auto** results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()), &n);
  check_topic_results("creating topic", results, n);
}

void AdminClient::create_partitions(const std::string& name, int total) {
  char err[512];
  rd_kafka_NewPartitions_t* np = rd_kafka_NewPartitions_new(name.c_str(), size_t(total), err, sizeof err);
  if (!np) throw AdminError("cannot grow topic '" + name + "': " + err);
  Event ev = request("adding partitions", [&](auto* opts, auto* q) { rd_kafka_CreatePartitions(rk_, &np, 1, opts, q); });
  rd_kafka_NewPartitions_destroy(np);
  size_t n = 0;
  auto** results = rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev.get()), &n);
  check_topic_results("adding partitions to", results, n);
}

void AdminClient::delete_topic(const std::string& name) {
  rd_kafka_DeleteTopic_t* dt = rd_kafka_DeleteTopic_new(name.c_str());
  Event ev = request("deleting a topic", [&](auto* opts, auto* q) { rd_kafka_DeleteTopics(rk_, &dt, 1, opts, q); });
  rd_kafka_DeleteTopic_destroy(dt);
  size_t n = 0;
  auto** results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev.get()), &n);
  check_topic_results("deleting topic", results, n);
}

std::vector<std::pair<std::string, std::string>> AdminClient::list_groups() {
  Event ev = request("listing groups", [&](auto* opts, auto* q) { rd_kafka_ListConsumerGroups(rk_, opts, q); });
  const auto* result = rd_kafka_event_ListConsumerGroups_result(ev.get());
  size_t n = 0;
  const rd_kafka_ConsumerGroupListing_t** groups = rd_kafka_ListConsumerGroups_result_valid(result, &n);
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < n; ++i) {
    out.emplace_back(rd_kafka_ConsumerGroupListing_group_id(groups[i]),
                     rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupListing_state(groups[i])));
  }
  return out;
}

GroupInfo AdminClient::describe_group(const std::string& group) {
  const char* id = group.c_str();
  Event ev = request("describing a group", [&](auto* opts, auto* q) { rd_kafka_DescribeConsumerGroups(rk_, &id, 1, opts, q); });
  size_t n = 0;
  const auto** groups =
      rd_kafka_DescribeConsumerGroups_result_groups(rd_kafka_event_DescribeConsumerGroups_result(ev.get()), &n);
  GroupInfo info{group, "Dead", {}};
  if (n == 0) return info;
  check_error(("describing group '" + group + "'").c_str(), rd_kafka_ConsumerGroupDescription_error(groups[0]));
  info.state = rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(groups[0]));
  for (size_t m = 0; m < rd_kafka_ConsumerGroupDescription_member_count(groups[0]); ++m) {
    const auto* md = rd_kafka_ConsumerGroupDescription_member(groups[0], m);
    GroupMember member{rd_kafka_MemberDescription_consumer_id(md), rd_kafka_MemberDescription_client_id(md),
                       rd_kafka_MemberDescription_host(md), {}};
    const auto* parts = rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(md));
    for (int i = 0; parts && i < parts->cnt; ++i) {
      member.assignment.emplace_back(parts->elems[i].topic, parts->elems[i].partition);
    }
    info.members.push_back(std::move(member));
  }
  return info;
}

std::map<TopicPartition, int64_t> AdminClient::committed_offsets(const std::string& group) {
  // librdkafka 2.0 sends "all partitions" as an empty topic array, which brokers
  // answer with nothing; so ask for every partition of every topic explicitly.
  auto parts = partition_list(0);
  for (const auto& t : metadata().topics) {
    for (const auto& p : t.partitions) rd_kafka_topic_partition_list_add(parts.get(), t.name.c_str(), p.id);
  }
  if (parts->cnt == 0) return {};
  rd_kafka_ListConsumerGroupOffsets_t* req = rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), parts.get());
  Event ev = request("reading committed offsets",
                     [&](auto* opts, auto* q) { rd_kafka_ListConsumerGroupOffsets(rk_, &req, 1, opts, q); });
  rd_kafka_ListConsumerGroupOffsets_destroy(req);
  size_t n = 0;
  const auto** groups =
      rd_kafka_ListConsumerGroupOffsets_result_groups(rd_kafka_event_ListConsumerGroupOffsets_result(ev.get()), &n);
  std::map<TopicPartition, int64_t> out;
  for (size_t g = 0; g < n; ++g) {
    check_error(("reading offsets of group '" + group + "'").c_str(), rd_kafka_group_result_error(groups[g]));
    const auto* got = rd_kafka_group_result_partitions(groups[g]);
    for (int i = 0; got && i < got->cnt; ++i) {
      if (got->elems[i].offset >= 0) out[{got->elems[i].topic, got->elems[i].partition}] = got->elems[i].offset;
    }
  }
  return out;
}

void AdminClient::alter_committed_offsets(const std::string& group, const std::map<TopicPartition, int64_t>& offsets) {
  auto parts = partition_list(int(offsets.size()));
  for (const auto& [tp, off] : offsets) rd_kafka_topic_partition_list_add(parts.get(), tp.first.c_str(), tp.second)->offset = off;
  rd_kafka_AlterConsumerGroupOffsets_t* req = rd_kafka_AlterConsumerGroupOffsets_new(group.c_str(), parts.get());
  Event ev = request("committing new offsets",
                     [&](auto* opts, auto* q) { rd_kafka_AlterConsumerGroupOffsets(rk_, &req, 1, opts, q); });
  rd_kafka_AlterConsumerGroupOffsets_destroy(req);
  size_t n = 0;
  const auto** groups =
      rd_kafka_AlterConsumerGroupOffsets_result_groups(rd_kafka_event_AlterConsumerGroupOffsets_result(ev.get()), &n);
  for (size_t g = 0; g < n; ++g) {
    check_error(("committing offsets for group '" + group + "'").c_str(), rd_kafka_group_result_error(groups[g]));
    const auto* res = rd_kafka_group_result_partitions(groups[g]);
    for (int i = 0; res && i < res->cnt; ++i) {
      if (res->elems[i].err) {
        throw AdminError("committing an offset for group '" + group + "' on " + res->elems[i].topic + "-" +
                         std::to_string(res->elems[i].partition) + " failed: " + rd_kafka_err2str(res->elems[i].err));
      }
    }
  }
}

std::pair<int64_t, int64_t> AdminClient::watermarks(const std::string& topic, int32_t partition) {
  int64_t low = -1, high = -1;
  rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk_, topic.c_str(), partition, &low, &high, timeout_ms_);
  if (err) throw AdminError("reading offsets of " + topic + "-" + std::to_string(partition) + ": " + rd_kafka_err2str(err));
  return {low, high};
}

std::map<int32_t, int64_t> AdminClient::offsets_for_time(const std::string& topic, const std::vector<int32_t>& partitions,
                                                         int64_t timestamp_ms) {
  auto parts = partition_list(int(partitions.size()));
  for (int32_t p : partitions) rd_kafka_topic_partition_list_add(parts.get(), topic.c_str(), p)->offset = timestamp_ms;
  rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(rk_, parts.get(), timeout_ms_);
  if (err) throw AdminError("looking up offsets by time in '" + topic + "': " + rd_kafka_err2str(err));
  std::map<int32_t, int64_t> out;
  for (int i = 0; i < parts->cnt; ++i) out[parts->elems[i].partition] = parts->elems[i].offset;
  return out;
}

std::optional<int64_t> AdminClient::timestamp_at(const std::string& topic, int32_t partition, int64_t offset) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[256];
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap_.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
  std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)> consumer(
      rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err), &rd_kafka_destroy);
  if (!consumer) return std::nullopt;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(consumer.get(), topic.c_str(), nullptr);
  std::optional<int64_t> ts;
  if (rd_kafka_consume_start(rkt, partition, offset) == 0) {
    if (rd_kafka_message_t* m = rd_kafka_consume(rkt, partition, timeout_ms_)) {
      if (!m->err) ts = rd_kafka_message_timestamp(m, nullptr);
      rd_kafka_message_destroy(m);
    }
    rd_kafka_consume_stop(rkt, partition);
  }
  rd_kafka_topic_destroy(rkt);
  return ts;
}

}  // namespace sluice::kafka
