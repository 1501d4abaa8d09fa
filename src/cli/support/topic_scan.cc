#include "cli/support/topic_scan.h"

#include <map>
#include <stdexcept>

#include "common/clock.h"
#include "kafka/connection.h"
#include "kafka/errors.h"
#include "kafka/handles.h"

namespace sluice::cli {
namespace {

// librdkafka's assign() needs a group id, but nothing here joins or commits: the
// id is never seen by the group coordinator (enable.auto.commit is off).
const kafka::Settings kScanSettings = {{"group.id", "sluice-cli-scan"},
                                       {"enable.auto.commit", "false"},
                                       {"enable.auto.offset.store", "false"},
                                       {"enable.partition.eof", "true"},
                                       {"auto.offset.reset", "earliest"}};

struct Range {
  int64_t next = 0;  // the next offset still to be read
  int64_t end = 0;   // the high watermark when the scan began
};

std::optional<std::string> bytes_of(const void* data, size_t len) {
  if (!data) return std::nullopt;
  return std::string(static_cast<const char*>(data), len);
}

ScannedRecord to_record(const rd_kafka_message_t* m) {
  ScannedRecord r;
  r.topic = rd_kafka_topic_name(m->rkt);
  r.partition = m->partition;
  r.offset = m->offset;
  r.timestamp_ms = rd_kafka_message_timestamp(m, nullptr);
  r.key = bytes_of(m->key, m->key_len);
  r.value = bytes_of(m->payload, m->len);
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == 0; ++i)
      r.headers.emplace_back(name, value ? std::string(static_cast<const char*>(value), size) : "");
  }
  return r;
}

// Where each partition's scan starts and ends (scan_plan.h decides); partitions with nothing new
// to read are left out of `ranges`.
ScanSpans plan(kafka::AdminClient& admin, const std::string& topic, std::optional<int64_t> since_ms,
               const ScanSpans& earlier, std::map<int32_t, Range>& ranges) {
  std::optional<kafka::TopicInfo> info = admin.find_topic(topic);
  if (!info || !info->error.empty()) {
    throw std::invalid_argument(
        "topic '" + topic + "' " + (info ? "cannot be read: " + info->error : "does not exist") +
        " at " + admin.endpoint().bootstrap + "; check the name with `sluice topics list`");
  }
  std::vector<int32_t> ids;
  for (const auto& p : info->partitions) ids.push_back(p.id);
  std::optional<std::map<int32_t, int64_t>> by_time;
  if (since_ms) by_time = admin.offsets_for_time(topic, ids, *since_ms);
  std::map<int32_t, kafka::Watermarks> logs;
  for (int32_t id : ids) logs[id] = admin.watermarks(topic, id);
  ScanSpans spans = plan_scan(logs, by_time, earlier);
  for (const auto& [id, span] : spans) {
    if (span.from < span.end) ranges[id] = {span.from, span.end};
  }
  return spans;
}

}  // namespace

const std::string* ScannedRecord::header(const std::string& name) const {
  const std::string* found = nullptr;
  for (const auto& [k, v] : headers) {
    if (k == name) found = &v;
  }
  return found;
}

void scan_topic(kafka::AdminClient& admin, const std::string& topic,
                std::optional<int64_t> since_ms,
                const std::function<void(ScannedRecord&&)>& visit) {
  scan_topic_from(admin, topic, since_ms, {}, visit);
}

ScanSpans scan_topic_from(kafka::AdminClient& admin, const std::string& topic,
                          std::optional<int64_t> since_ms, const ScanSpans& earlier,
                          const std::function<void(ScannedRecord&&)>& visit) {
  std::map<int32_t, Range> ranges;
  const ScanSpans spans = plan(admin, topic, since_ms, earlier, ranges);
  if (ranges.empty()) return spans;
  kafka::Connection conn(admin.endpoint(), RD_KAFKA_CONSUMER, kScanSettings);
  rd_kafka_poll_set_consumer(conn.get());
  kafka::PartitionList parts = kafka::new_partition_list(static_cast<int>(ranges.size()));
  for (const auto& [id, range] : ranges)
    rd_kafka_topic_partition_list_add(parts.get(), topic.c_str(), id)->offset = range.next;
  kafka::throw_if(rd_kafka_assign(conn.get(), parts.get()), "reading topic '" + topic + "'");

  auto pending = [&] {
    for (const auto& [id, range] : ranges) {
      if (range.next < range.end) return true;
    }
    return false;
  };
  const int timeout_ms = admin.endpoint().timeout_ms;
  int64_t last_progress = mono_ms();
  while (pending()) {
    kafka::Message m(rd_kafka_consumer_poll(conn.get(), 200));
    if (!m || m->err == RD_KAFKA_RESP_ERR__TRANSPORT ||
        m->err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
      if (mono_ms() - last_progress > timeout_ms) {
        std::string where;
        for (const auto& [id, range] : ranges) {
          if (range.next < range.end)
            where += " partition " + std::to_string(id) + " at offset " +
                     std::to_string(range.next) + " of " + std::to_string(range.end) + ";";
        }
        throw kafka::KafkaError("reading topic '" + topic + "' made no progress for " +
                                std::to_string(timeout_ms) + " ms (" + where +
                                " is the broker healthy? raise --timeout-ms)");
      }
      continue;
    }
    auto it = ranges.find(m->partition);
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (it != ranges.end()) it->second.next = std::max(it->second.next, m->offset);
      last_progress = mono_ms();
      continue;
    }
    if (m->err) {
      throw kafka::KafkaError("reading topic '" + topic + "' partition " +
                              std::to_string(m->partition) + ": " +
                              rd_kafka_message_errstr(m.get()));
    }
    if (it == ranges.end()) continue;
    last_progress = mono_ms();
    const bool in_range = m->offset < it->second.end;  // later ones arrived after the scan began
    it->second.next = std::max(it->second.next, m->offset + 1);
    if (!in_range) continue;
    visit(to_record(m.get()));
  }
  return spans;
}

}  // namespace sluice::cli
