#include "stages/quarantine_route/quarantine_route.h"

#include <simdjson.h>

#include <chrono>
#include <cstdio>

#include "stages/sequence_check/symbol_control.h"

namespace sluice::stages {
namespace {

namespace header = pipeline::header;

[[noreturn]] void fail(const pipeline::ProcessorContext& c, const std::string& key,
                       const std::string& why) {
  throw pipeline::OptionError(key, "stage '" + c.stage + "': option '" + key + "' " + why);
}

std::string text(const pipeline::ProcessorContext& c, const std::string& key,
                 const std::string& fallback) {
  const YAML::Node n = c.options[key];
  if (!n || n.IsNull()) return fallback;
  if (!n.IsScalar()) fail(c, key, "must be a single value");
  return n.Scalar();
}

// "HH:MM-HH:MM" as minutes of the day; false when it is not that.
bool parse_hours(const std::string& t, int& open, int& close) {
  int h1 = 0, m1 = 0, h2 = 0, m2 = 0;
  char tail = 0;
  if (std::sscanf(t.c_str(), "%d:%d-%d:%d%c", &h1, &m1, &h2, &m2, &tail) != 4) return false;
  open = h1 * 60 + m1;
  close = h2 * 60 + m2;
  return h1 >= 0 && m1 >= 0 && m1 < 60 && m2 >= 0 && m2 < 60 && open < close && close <= 24 * 60;
}

// Minutes of the day as written in an ISO-8601 timestamp ("2026-12-07T10:15:00+11:00"), or -1.
int written_minute(std::string_view ts) {
  if (ts.size() < 16 || (ts[10] != 'T' && ts[10] != 't' && ts[10] != ' ') || ts[13] != ':')
    return -1;
  auto digit = [&](size_t i) { return ts[i] >= '0' && ts[i] <= '9' ? ts[i] - '0' : -100; };
  const int h = digit(11) * 10 + digit(12), m = digit(14) * 10 + digit(15);
  return h < 0 || h > 23 || m < 0 || m > 59 ? -1 : h * 60 + m;
}

// The runtime's own headers describe one hop; the trace id follows the record (as passthrough).
bool copied_on(const pipeline::Headers::value_type& h) {
  return !h.first.starts_with(header::kPrefix) || h.first == header::kTraceId;
}

}  // namespace

QuarantineRoute::QuarantineRoute(const pipeline::ProcessorContext& context)
    : stage_(context.stage), outputs_(context.outputs) {
  quarantine_topic_ = text(context, "quarantine_topic", "");
  if (quarantine_topic_.empty())
    fail(context, "quarantine_topic", "is required: the topic quarantined ticks go to");
  time_field_ = text(context, "time_field", time_field_);
  const std::string hours = text(context, "trading_hours", "10:00-16:00");
  if (!parse_hours(hours, open_minute_, close_minute_))
    fail(context, "trading_hours",
         "must be two times of day like 10:00-16:00 (opening, then closing), not '" + hours + "'");
}

QuarantineRoute::Verdict QuarantineRoute::judge(const pipeline::Record& record) const {
  namespace sc = symbol_control;
  if (const std::string* severity = record.header(sc::kSeverity)) {
    const std::string* kind = record.header(sc::kClassification);
    const std::string* gap = record.header(sc::kGap);
    const std::string* previous = record.header(sc::kPrevious);
    const std::string* price_move = record.header(sc::kPriceMove);
    std::string message = "sequence " + (kind ? *kind : std::string("anomaly"));
    if (gap) message += ": " + *gap + " numbers missing";
    if (previous) message += " (the high mark was " + *previous + ")";
    if (price_move) message = "price jump: " + *price_move;
    return {kind ? *kind : "sequence", message, *severity};
  }
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(record.value);
  std::string_view ts;
  if (parser.parse(padded)[time_field_].get_string().get(ts) != simdjson::SUCCESS)
    return {"unreadable_time", time_field_ + " is missing or not an ISO-8601 string", "ERROR"};
  const int minute = written_minute(ts);
  if (minute < 0)
    return {"unreadable_time",
            time_field_ + " '" + std::string(ts) + "' has no time of day (HH:MM)", "ERROR"};
  if (minute < open_minute_ || minute >= close_minute_)
    return {"outside_trading_hours",
            time_field_ + " " + std::string(ts) + " is outside trading hours", "WARNING"};
  return {};
}

pipeline::OutputRecord QuarantineRoute::quarantined(const pipeline::Record& record,
                                                    const Verdict& v) const {
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  // sluice.sequence* headers explain a sequence verdict: kept, like the tick's own.
  pipeline::Headers headers;
  for (const auto& h : record.headers) {
    if (copied_on(h) || h.first.starts_with(symbol_control::kClassification)) headers.push_back(h);
  }
  std::erase_if(headers, [](const auto& h) { return h.first == symbol_control::kSeverity; });
  headers.emplace_back(header::kStage, stage_);
  headers.emplace_back(header::kCategory, v.reason);
  headers.emplace_back(header::kMessage, v.message);
  headers.emplace_back(symbol_control::kSeverity, v.severity);
  headers.emplace_back(header::kOriginalTopic, record.topic);
  headers.emplace_back(header::kOriginalPartition, std::to_string(record.partition));
  headers.emplace_back(header::kOriginalOffset, std::to_string(record.offset));
  headers.emplace_back(header::kFirstFailedAt, std::to_string(now_ms));
  headers.emplace_back(header::kLastFailedAt, std::to_string(now_ms));
  return {quarantine_topic_, record.key, record.value, std::move(headers)};
}

pipeline::Outcome QuarantineRoute::process(const pipeline::Record& record) {
  const Verdict v = judge(record);
  std::vector<pipeline::OutputRecord> out;
  if (!v.reason.empty()) {
    out.push_back(quarantined(record, v));
    return pipeline::Outcome::success(std::move(out));
  }
  for (const auto& topic : outputs_) {
    pipeline::Headers headers;
    for (const auto& h : record.headers) {
      if (copied_on(h)) headers.push_back(h);
    }
    out.push_back({topic, record.key, record.value, std::move(headers)});
  }
  return pipeline::Outcome::success(std::move(out));
}

}  // namespace sluice::stages
