#include "cli/dlq/dlq_reader.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <tuple>

#include "pipeline/error_category.h"
#include "pipeline/reroute.h"

namespace sluice::cli {
namespace {

std::string text_header(const ScannedRecord& r, const char* name) {
  const std::string* v = r.last_header(name);
  return v ? *v : "";
}

std::optional<int64_t> int_header(const ScannedRecord& r, const char* name) {
  const std::string* v = r.last_header(name);
  int64_t out = 0;
  if (!v || v->empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || end != v->data() + v->size()) return std::nullopt;
  return out;
}

}  // namespace

std::string DlqRecord::position() const {
  return std::to_string(raw.partition) + "/" + std::to_string(raw.offset);
}

std::string dlq_topic_name(const std::string& topic) {
  auto ends_with = [&](const std::string& suffix) {
    return topic.size() >= suffix.size() &&
           topic.compare(topic.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with(".dlq") || ends_with(".dlq.parked") || ends_with(".shed") ? topic
                                                                             : topic + ".dlq";
}

void check_category(const std::string& category) {
  if (category.empty() || pipeline::parse_category(category)) return;
  std::string names;
  for (pipeline::ErrorCategory c : pipeline::kAllErrorCategories)
    names += std::string(names.empty() ? "" : ", ") + pipeline::category_name(c);
  throw std::invalid_argument("--category '" + category +
                              "' is not an error category; use one of " + names);
}

DlqRecord to_dlq_record(ScannedRecord raw) {
  namespace h = kafka::header;
  DlqRecord d;
  d.trace_id = text_header(raw, h::kTraceId);
  d.stage = text_header(raw, h::kStage);
  d.category = text_header(raw, h::kCategory);
  d.message = text_header(raw, h::kMessage);
  d.attempts = int_header(raw, h::kAttempts);
  d.original_topic = text_header(raw, h::kOriginalTopic);
  d.original_partition = int_header(raw, h::kOriginalPartition);
  d.original_offset = int_header(raw, h::kOriginalOffset);
  d.first_failed_at_ms = int_header(raw, h::kFirstFailedAt);
  d.last_failed_at_ms = int_header(raw, h::kLastFailedAt);
  d.replay_count = std::max<int64_t>(0, int_header(raw, h::kReplayCount).value_or(0));
  d.raw = std::move(raw);
  return d;
}

std::vector<DlqRecord> read_dlq(kafka::AdminClient& admin, const std::string& dlq_topic,
                                const DlqFilter& filter) {
  std::vector<DlqRecord> out;
  scan_topic(admin, dlq_topic, filter.since_ms, [&](ScannedRecord&& raw) {
    DlqRecord d = to_dlq_record(std::move(raw));
    if (!filter.category.empty() && d.category != filter.category) return;
    if (!filter.trace_id.empty() && d.trace_id != filter.trace_id) return;
    out.push_back(std::move(d));
  });
  std::stable_sort(out.begin(), out.end(), [](const DlqRecord& a, const DlqRecord& b) {
    return std::tie(a.raw.timestamp_ms, a.raw.partition, a.raw.offset) <
           std::tie(b.raw.timestamp_ms, b.raw.partition, b.raw.offset);
  });
  return out;
}

}  // namespace sluice::cli
