#include "pipeline/reroute.h"

#include <charconv>

namespace sluice::pipeline {
namespace {

int64_t int_header(const Record& r, const char* name) {
  const std::string* v = r.header(name);
  int64_t out = 0;
  if (v) std::from_chars(v->data(), v->data() + v->size(), out);
  return out;
}

// Copies the record's own headers except the sluice.* ones this hop rewrites.
Headers carried_headers(const Record& r) {
  Headers out;
  for (const auto& [k, v] : r.headers) {
    bool ours = k.starts_with(header::kPrefix);
    bool keep = !ours || k == header::kOriginalTopic || k == header::kOriginalPartition ||
                k == header::kOriginalOffset || k == header::kFirstFailedAt ||
                k == header::kTraceId || k == header::kReplayedFrom || k == header::kReplayCount;
    if (keep) out.emplace_back(k, v);
  }
  return out;
}

void set_if_absent(Headers& h, const char* name, const std::string& value) {
  for (const auto& [k, v] : h) {
    if (k == name) return;
  }
  h.emplace_back(name, value);
}

OutputRecord rerouted(const Record& r, const std::string& topic, const Failure& f,
                      const char* category) {
  OutputRecord out{topic, r.key, r.value, carried_headers(r)};
  set_if_absent(out.headers, header::kTraceId, r.trace_id);
  set_if_absent(out.headers, header::kOriginalTopic, r.topic);
  set_if_absent(out.headers, header::kOriginalPartition, std::to_string(r.partition));
  set_if_absent(out.headers, header::kOriginalOffset, std::to_string(r.offset));
  set_if_absent(out.headers, header::kFirstFailedAt, std::to_string(f.now_ms));
  out.headers.emplace_back(header::kStage, f.stage);
  out.headers.emplace_back(header::kCategory, category);
  out.headers.emplace_back(header::kMessage, f.message);
  out.headers.emplace_back(header::kAttempts, std::to_string(previous_attempts(r) + f.attempts));
  out.headers.emplace_back(header::kLastFailedAt, std::to_string(f.now_ms));
  return out;
}

}  // namespace

OutputRecord to_dead_letter(const Record& record, const std::string& dlq_topic,
                            const Failure& failure, const Headers& stage_headers) {
  OutputRecord out = rerouted(record, dlq_topic, failure, category_name(failure.category));
  out.headers.insert(out.headers.end(), stage_headers.begin(), stage_headers.end());
  return out;
}

OutputRecord to_parked(const Record& record, const std::string& topic, const Parking& parking) {
  // Attempts 0: parking is not an attempt, so a replayed record keeps its retry budget.
  const Failure why{parking.stage, ErrorCategory::kTransient,
                    "parked at degradation level " + parking.level +
                        ": not a priority key (degradation.priority_keys); replay it with "
                        "`sluice dlq replay " +
                        topic + " --all` once the stage has recovered",
                    0, parking.now_ms};
  return rerouted(record, topic, why, kParkedCategory);
}

OutputRecord to_delay_topic(const Record& record, const std::string& topic, int level,
                            int64_t not_before, const Failure& failure) {
  OutputRecord out = rerouted(record, topic, failure, category_name(failure.category));
  out.headers.emplace_back(header::kRetryLevel, std::to_string(level));
  out.headers.emplace_back(header::kNotBefore, std::to_string(not_before));
  return out;
}

int retry_level(const Record& record) {
  return int(int_header(record, header::kRetryLevel));
}
int64_t not_before_ms(const Record& record) {
  return int_header(record, header::kNotBefore);
}
int previous_attempts(const Record& record) {
  return int(int_header(record, header::kAttempts));
}
int replay_count(const Record& record) {
  return int(int_header(record, header::kReplayCount));
}

std::string dead_letter_topic(const Record& record, const std::string& dlq_topic, int max_replays) {
  return replay_count(record) >= max_replays && replay_count(record) > 0 ? dlq_topic + ".parked"
                                                                         : dlq_topic;
}

}  // namespace sluice::pipeline
