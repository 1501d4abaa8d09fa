#include "stages/window_aggregate/window_aggregate.h"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "common/iso8601.h"
#include "common/json.h"
#include "stages/record_json.h"
#include "stages/window_aggregate/event_time.h"

namespace sluice::stages {
namespace {

using pipeline::ErrorCategory;
using pipeline::Outcome;

// Year 0001 to 9999: what ISO-8601 can write back, and far from overflow.
constexpr int64_t kMinEventTime = -62135596800000;
constexpr int64_t kMaxEventTime = 253402300799999;

int64_t system_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::optional<int64_t> event_time_of(simdjson::dom::element v) {
  std::optional<int64_t> t;
  if (int64_t i; v.get_int64().get(i) == simdjson::SUCCESS) {
    t = i;
  } else if (double d; v.get_double().get(d) == simdjson::SUCCESS) {
    if (std::isfinite(d) && std::abs(d) < 1e16) t = int64_t(std::floor(d));
  } else if (std::string_view s; v.get_string().get(s) == simdjson::SUCCESS) {
    t = parse_epoch_ms_text(s);
    if (!t) t = parse_iso8601_ms(s);
  }
  if (t && (*t < kMinEventTime || *t > kMaxEventTime)) return std::nullopt;
  return t;
}

// Appends `v` as minified JSON, the group key's (and the checkpoint's) form of
// a value. A string that needs no escaping is written directly — the same
// bytes simdjson::minify makes, without building a string per value.
void append_json(std::string& out, simdjson::dom::element v) {
  if (std::string_view s;
      v.get_string().get(s) == simdjson::SUCCESS && std::none_of(s.begin(), s.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\';
      })) {
    out += '"';
    out += s;
    out += '"';
    return;
  }
  out += simdjson::minify(v);
}

// A stage's delay topic (<input>.retry.N, pipeline/runtime/failure_routing.h).
// The stage is assigned its partitions too, but no window record comes through
// them (window-aggregate never fails a record transiently): they must not hold
// the combined watermark back as partitions without event time.
bool is_delay_topic(const std::string& topic) {
  const size_t at = topic.rfind(".retry.");
  if (at == std::string::npos) return false;
  const std::string level = topic.substr(at + 7);
  return !level.empty() && level.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

WindowAggregate::WindowAggregate(const pipeline::ProcessorContext& context,
                                 WindowEngine::WallClock clock)
    : options_(read_window_options(context)),
      clock_(clock ? std::move(clock) : WindowEngine::WallClock(system_ms)),
      engine_(options_, clock_) {
  for (const std::string& field : options_.group_by)
    group_prefixes_.push_back("," + json::quote(field) + ":");
  for (const auto& spec : options_.aggregates)
    aggregate_prefixes_.push_back("," + json::quote(spec.name) + ":");
  if (context.metrics) {
    late_counter_ = &context.metrics->counter(
        "sluice_window_late_records_total",
        "Records behind the watermark for every window they belong to, sent to the late topic",
        {{"stage", context.stage}});
    rows_counter_ = &context.metrics->counter("sluice_window_rows_total",
                                              "Window rows emitted (one per window and group)",
                                              {{"stage", context.stage}});
    watermark_gauge_ = &context.metrics->gauge(
        "sluice_window_watermark_seconds",
        "The combined event-time watermark of the partitions this process owns, in seconds "
        "since the epoch (0 until every partition it waits for has a record)",
        {{"stage", context.stage}});
    emission_delay_gauge_ = &context.metrics->gauge(
        "sluice_window_emission_delay_seconds",
        "Of the rows emitted last, the longest wall-clock wait past the time their window could "
        "first close (its end plus the allowed lateness), in seconds: 0 when events arrive in "
        "real time and the stage keeps up",
        {{"stage", context.stage}});
  }
}

// The emission delay compares the wall clock with event time: a window ending
// at E can close, at the earliest, when events up to E + allowed lateness have
// arrived, i.e. at wall-clock E + lateness if events arrive as they happen.
// Whatever comes on top (consumer lag, a stalled partition held back until its
// idle timeout, slow processing) is the delay a reader of the aggregates sees.
void WindowAggregate::observe(const std::vector<WindowRow>& rows) {
  if (rows_counter_ && !rows.empty()) rows_counter_->inc(double(rows.size()));
  if (emission_delay_gauge_ && !rows.empty()) {
    int64_t delay_ms = 0;
    const int64_t now = clock_();
    for (const WindowRow& row : rows)
      delay_ms = std::max(delay_ms, now - (row.end + options_.allowed_lateness_ms));
    emission_delay_gauge_->set(double(delay_ms) / 1000);
  }
  const int64_t watermark = engine_.last_watermark();
  if (watermark_gauge_ && watermark != kNoTime) watermark_gauge_->set(double(watermark) / 1000);
}

std::string WindowAggregate::read_event(const pipeline::Record& record, WindowEvent& e) const {
  simdjson::dom::element parsed;
  simdjson::dom::object object;
  auto err = parse_record_json(record.value, parsed);
  if (!err) err = parsed.get_object().get(object);
  if (err) {
    return std::string("the record is not a JSON object: ") + simdjson::error_message(err);
  }
  simdjson::dom::element time;
  if (object[options_.time_field].get(time) != simdjson::SUCCESS)
    return "the event-time field '" + options_.time_field + "' is missing";
  const auto t = event_time_of(time);
  if (!t) {
    return "the event-time field '" + options_.time_field + "' is " + simdjson::to_string(time) +
           ", which is neither epoch milliseconds nor an ISO-8601 timestamp "
           "(e.g. 2026-01-05T10:00:00Z or 2026-01-05T12:00:00+02:00; no offset means UTC) "
           "between years 1 and 9999";
  }
  e.time = *t;
  e.group.clear();
  for (size_t i = 0; i < options_.group_by.size(); ++i) {
    simdjson::dom::element v;
    if (i > 0) e.group += '\n';
    if (object[options_.group_by[i]].get(v) == simdjson::SUCCESS) {
      append_json(e.group, v);
    } else {
      e.group += "null";
    }
  }
  e.inputs.assign(options_.aggregates.size(), {});
  for (size_t i = 0; i < options_.aggregates.size(); ++i) {
    const AggregateSpec& spec = options_.aggregates[i];
    if (spec.fn == AggregateFn::kCount) continue;
    simdjson::dom::element v;
    if (object[spec.field].get(v) != simdjson::SUCCESS || v.is_null()) continue;
    WindowEvent::Input& in = e.inputs[i];
    if (spec.fn == AggregateFn::kFirst || spec.fn == AggregateFn::kLast) {
      in.present = true;
      in.raw = simdjson::minify(v);
      continue;
    }
    double x;
    if (v.is_bool() || v.get_double().get(x) != simdjson::SUCCESS) {
      if (spec.fn == AggregateFn::kCountIf) continue;  // not a number: the condition does not hold
      return "field '" + spec.field + "' is " + std::string(simdjson::minify(v)) +
             ", not a number, so aggregate '" + spec.name + "' (" + aggregate_fn_name(spec.fn) +
             ") cannot use it";
    }
    in.present = true;
    in.x = x;
    in.matched = spec.fn == AggregateFn::kCountIf && spec.when.holds(x);
  }
  return "";
}

pipeline::OutputRecord WindowAggregate::row_record(const WindowRow& row) const {
  const std::string start = format_iso8601_utc(row.start);
  std::string key = "[", groups;
  size_t at = 0;
  for (size_t i = 0; i < group_prefixes_.size(); ++i) {
    const size_t next = std::min(row.group.find('\n', at), row.group.size());
    const std::string_view raw = std::string_view(row.group).substr(at, next - at);
    groups += group_prefixes_[i];
    groups += raw;
    if (i > 0) key += ',';
    key += raw;
    at = next + 1;
  }
  key += "]";
  std::string value;
  value.reserve(160 + groups.size() + 24 * aggregate_prefixes_.size());
  value += "{\"window_start\":\"";
  value += start;
  value += "\",\"window_end\":\"";
  value += format_iso8601_utc(row.end);
  value += '"';
  if (!options_.id_field.empty())
    value += "," + json::quote(options_.id_field) + ":" + json::quote(start + " " + key);
  value += groups;
  for (size_t i = 0; i < aggregate_prefixes_.size(); ++i) {
    value += aggregate_prefixes_[i];
    value += result_json(options_.aggregates[i].fn, row.accumulators[i]);
  }
  value += "}";
  return {options_.output, std::move(key), std::move(value), {}};
}

pipeline::OutputRecord WindowAggregate::late_record(const pipeline::Record& record,
                                                    const Admission& a) const {
  pipeline::OutputRecord out{
      options_.late_topic.empty() ? record.topic + ".late" : options_.late_topic, record.key,
      record.value, record.headers};
  out.headers.emplace_back(
      pipeline::header::kWindowMissed,
      format_iso8601_utc(a.missed_start) + "/" + format_iso8601_utc(a.missed_end));
  out.headers.emplace_back(pipeline::header::kWindowWatermark,
                           format_iso8601_utc(a.sealed_through));
  return out;
}

Outcome WindowAggregate::process(const pipeline::Record& record) {
  if (is_delay_topic(record.topic)) {
    return Outcome::failure(ErrorCategory::kPermanent,
                            "window-aggregate cannot take a record from delay topic " +
                                record.topic +
                                ": its windows are per input partition; replay it to the input");
  }
  WindowEvent event;
  if (std::string problem = read_event(record, event); !problem.empty())
    return Outcome::failure(ErrorCategory::kValidation, problem);
  const Admission a = engine_.add({record.topic, record.partition}, event);
  std::vector<pipeline::OutputRecord> outputs;
  outputs.reserve(a.rows.size() + 1);
  if (a.late) {
    outputs.push_back(late_record(record, a));
    if (late_counter_) late_counter_->inc();
  }
  for (const WindowRow& row : a.rows) outputs.push_back(row_record(row));
  observe(a.rows);
  return Outcome::success(std::move(outputs));
}

std::vector<pipeline::OutputRecord> WindowAggregate::tick(const std::string& topic,
                                                          int32_t partition) {
  std::vector<pipeline::OutputRecord> outputs;
  if (is_delay_topic(topic)) return outputs;
  const std::vector<WindowRow> rows = engine_.tick({topic, partition});
  for (const WindowRow& row : rows) outputs.push_back(row_record(row));
  observe(rows);
  return outputs;
}

void WindowAggregate::restore(const std::string& topic, int32_t partition,
                              const std::optional<pipeline::ProcessorState>& state) {
  if (is_delay_topic(topic)) return;
  engine_.restore({topic, partition}, state ? decode_windows(state->head, options_.fingerprint(),
                                                             options_.aggregates.size())
                                            : PartitionWindows{});
}

pipeline::ProcessorState WindowAggregate::snapshot(const std::string& topic, int32_t partition) {
  if (is_delay_topic(topic))
    return encode_windows({}, options_.fingerprint(), options_.aggregates.size());
  return engine_.snapshot({topic, partition});
}

void WindowAggregate::release(const std::string& topic, int32_t partition) {
  if (is_delay_topic(topic)) return;
  engine_.release({topic, partition});
}

}  // namespace sluice::stages
