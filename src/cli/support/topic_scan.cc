#include "cli/support/topic_scan.h"

#include <map>
#include <stdexcept>

#include "common/clock.h"
#include "kafka/consumer.h"
#include "kafka/errors.h"

namespace sluice::cli {
namespace {

// librdkafka's assign() needs a group id, but nothing here joins or commits: the
// id is never seen by the group coordinator (enable.auto.commit is off).
const kafka::Settings kScanSettings = {{"group.id", "sluice-cli-scan"},
                                       {"enable.partition.eof", "true"},
                                       {"auto.offset.reset", "earliest"}};

// Where each partition's scan starts and ends (scan_plan.h decides); partitions with nothing new
// to read are left out of `ranges`.
ScanSpans plan(kafka::AdminClient& admin, const std::string& topic, std::optional<int64_t> since_ms,
               const ScanSpans& earlier, std::map<int32_t, ReadRange>& ranges) {
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

void scan_topic(kafka::AdminClient& admin, const std::string& topic,
                std::optional<int64_t> since_ms,
                const std::function<void(ScannedRecord&&)>& visit) {
  scan_topic_from(admin, topic, since_ms, {}, visit);
}

ScanSpans scan_topic_from(kafka::AdminClient& admin, const std::string& topic,
                          std::optional<int64_t> since_ms, const ScanSpans& earlier,
                          const std::function<void(ScannedRecord&&)>& visit) {
  std::map<int32_t, ReadRange> ranges;
  const ScanSpans spans = plan(admin, topic, since_ms, earlier, ranges);
  read_ranges(admin.endpoint(), topic, std::move(ranges), [&](ScannedRecord&& r) {
    visit(std::move(r));
    return true;
  });
  return spans;
}

void read_ranges(const kafka::Endpoint& endpoint, const std::string& topic,
                 std::map<int32_t, ReadRange> ranges,
                 const std::function<bool(ScannedRecord&&)>& visit) {
  std::erase_if(ranges, [](const auto& entry) { return entry.second.next >= entry.second.end; });
  if (ranges.empty()) return;
  bool follows = false;
  for (const auto& [id, range] : ranges) follows = follows || range.end == kReadForever;
  // As quiet as every operator command: failures reach the operator as our own sentences.
  kafka::Consumer consumer(
      {endpoint.bootstrap, "sluice-cli", /*log_level=*/0, false, kScanSettings});
  std::vector<kafka::PartitionOffset> parts;
  for (const auto& [id, range] : ranges) parts.push_back({topic, id, range.next});
  kafka::throw_if(consumer.assign(parts), "reading topic '" + topic + "'");

  auto pending = [&] {
    for (const auto& [id, range] : ranges) {
      if (range.next < range.end) return true;
    }
    return false;
  };
  const int timeout_ms = endpoint.timeout_ms;
  int64_t last_progress = mono_ms();
  while (pending()) {
    kafka::ConsumedMessage m = consumer.poll(200);
    if (!m || kafka::is_connection_lost(m.error())) {
      if (!follows && mono_ms() - last_progress > timeout_ms) {
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
    auto it = ranges.find(m.partition());
    if (m.is_partition_eof()) {
      if (it != ranges.end()) it->second.next = std::max(it->second.next, m.offset());
      last_progress = mono_ms();
      continue;
    }
    if (m.error()) {
      throw kafka::KafkaError("reading topic '" + topic + "' partition " +
                              std::to_string(m.partition()) + ": " + m.error_message());
    }
    if (it == ranges.end()) continue;
    last_progress = mono_ms();
    const bool in_range = m.offset() < it->second.end;  // later ones arrived after the scan began
    it->second.next = std::max(it->second.next, m.offset() + 1);
    if (!in_range) continue;
    if (!visit(m.to_record())) return;
  }
}

}  // namespace sluice::cli
