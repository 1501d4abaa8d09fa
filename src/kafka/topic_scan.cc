#include "kafka/topic_scan.h"

#include <map>
#include <memory>

#include "common/clock.h"
#include "common/random_id.h"
#include "kafka/connection.h"
#include "kafka/errors.h"

namespace sluice::kafka {
namespace {

struct Range {
  int64_t start = 0;
  int64_t end = 0;  // exclusive: the high watermark when the scan began
};

// Start and end offset of every partition of `topic`; empty if the topic does not exist.
std::map<int32_t, Range> ranges(Connection& conn, const std::string& topic, int64_t since_ms) {
  std::map<int32_t, Range> out;
  Metadata md = conn.fetch_metadata(true);
  for (int t = 0; t < md->topic_cnt; ++t) {
    const rd_kafka_metadata_topic_t& meta = md->topics[t];
    if (topic != meta.topic) continue;
    for (int p = 0; p < meta.partition_cnt; ++p) {
      const int32_t id = meta.partitions[p].id;
      Range r;
      throw_if(rd_kafka_query_watermark_offsets(conn.get(), topic.c_str(), id, &r.start, &r.end,
                                                conn.endpoint().timeout_ms),
               "reading the offsets of " + topic + "/" + std::to_string(id));
      out[id] = r;
    }
  }
  if (since_ms < 0 || out.empty()) return out;
  PartitionList list = new_partition_list(int(out.size()));
  for (const auto& [id, r] : out)
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), id)->offset = since_ms;
  throw_if(rd_kafka_offsets_for_times(conn.get(), list.get(), conn.endpoint().timeout_ms),
           "finding the offsets of " + topic + " at " + std::to_string(since_ms));
  for (int i = 0; i < list->cnt; ++i) {
    Range& r = out[list->elems[i].partition];
    // -1: no record at or after the time, so nothing to read in this partition.
    r.start = list->elems[i].offset >= 0 ? list->elems[i].offset : r.end;
  }
  return out;
}

ScannedRecord to_record(const rd_kafka_message_t* m) {
  ScannedRecord r;
  r.partition = m->partition;
  r.offset = m->offset;
  r.timestamp_ms = rd_kafka_message_timestamp(m, nullptr);
  if (m->key) r.key.emplace(static_cast<const char*>(m->key), m->key_len);
  if (m->payload) r.value.assign(static_cast<const char*>(m->payload), m->len);
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      r.headers.emplace_back(
          name, value ? std::string(static_cast<const char*>(value), size) : std::string());
    }
  }
  return r;
}

}  // namespace

const std::string* ScannedRecord::header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

void scan_topic(const Endpoint& endpoint, const std::string& topic,
                const std::function<void(const ScannedRecord&)>& visit, int64_t since_ms) {
  Connection conn(endpoint, RD_KAFKA_CONSUMER,
                  {{"group.id", "sluice-scan-" + random_hex(6)},
                   {"enable.auto.commit", "false"},
                   {"enable.partition.eof", "false"}});
  std::map<int32_t, Range> todo = ranges(conn, topic, since_ms);
  std::erase_if(todo, [](const auto& kv) { return kv.second.start >= kv.second.end; });
  if (todo.empty()) return;
  PartitionList list = new_partition_list(int(todo.size()));
  for (const auto& [id, r] : todo)
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), id)->offset = r.start;
  throw_if(rd_kafka_assign(conn.get(), list.get()), "assigning " + topic + " for reading");

  // The deadline moves with progress: a big topic may take long, a stuck one may not.
  int64_t deadline = mono_ms() + endpoint.timeout_ms;
  while (!todo.empty()) {
    if (mono_ms() > deadline) {
      throw KafkaError("reading " + topic + " stalled: partition " +
                       std::to_string(todo.begin()->first) + " did not reach offset " +
                       std::to_string(todo.begin()->second.end) + " within " +
                       std::to_string(endpoint.timeout_ms) + " ms; is the broker healthy?");
    }
    rd_kafka_message_t* m = rd_kafka_consumer_poll(conn.get(), 100);
    if (!m) continue;
    std::unique_ptr<rd_kafka_message_t, decltype(&rd_kafka_message_destroy)> owned(
        m, &rd_kafka_message_destroy);
    if (m->err) {
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
      throw_if(m->err, "reading " + topic);
    }
    auto it = todo.find(m->partition);
    if (it == todo.end() || m->offset >= it->second.end) continue;
    visit(to_record(m));
    deadline = mono_ms() + endpoint.timeout_ms;
    // Offsets may skip (compaction, transactions' markers), so "reached" is >= end - 1.
    if (m->offset >= it->second.end - 1) todo.erase(it);
  }
  rd_kafka_assign(conn.get(), nullptr);
}

}  // namespace sluice::kafka
