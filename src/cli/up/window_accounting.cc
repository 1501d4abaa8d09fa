#include "cli/up/window_accounting.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>

#include "cli/support/topic_scan.h"
#include "cli/up/accounting_sources.h"
#include "common/iso8601.h"
#include "kafka/record.h"
#include "pipeline/config_text.h"
#include "stages/window_aggregate/event_time.h"

namespace sluice::cli {
namespace {

using lake::parquet::Row;
using lake::parquet::Value;

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// The pipeline's parts, found by processor and topic.
struct Shape {
  const pipeline::StageConfig* front = nullptr;  // feeds the window stage; may be absent
  const pipeline::StageConfig* window = nullptr;
  const pipeline::StageConfig* raw = nullptr;   // table-sink of the window stage's input
  const pipeline::StageConfig* rows = nullptr;  // table-sink of the window rows
  std::string time_field, count_name, late_topic;
  std::vector<std::string> group_by;
  int64_t size_ms = 0, lateness_ms = 0;

  explicit Shape(const pipeline::PipelineConfig& c) {
    for (const auto& s : c.stages) {
      if (s.processor == "window-aggregate" && !window) window = &s;
    }
    for (const auto& s : c.stages) {
      if (std::find(s.outputs.begin(), s.outputs.end(), window->input) != s.outputs.end())
        front = &s;
      if (s.processor != "table-sink") continue;
      if (s.input == window->input) raw = &s;
      if (!window->outputs.empty() && s.input == window->outputs.front()) rows = &s;
    }
    const std::string why = "; the windows accounting reads both tables (docs/windows.md)";
    if (!raw)
      throw std::invalid_argument("pipeline '" + c.name + "' has no table-sink stage reading " +
                                  window->input + " (the raw events)" + why);
    if (!rows)
      throw std::invalid_argument("pipeline '" + c.name +
                                  "' has no table-sink stage reading the window rows" + why);
    time_field = stage_option(*window, "time_field");
    const std::string size = stage_option(*window, "size");
    const auto parsed = pipeline::parse_duration_ms(size);
    if (!parsed || *parsed <= 0)
      throw std::invalid_argument("stage '" + window->name + "': size '" + size +
                                  "' is not a duration");
    size_ms = *parsed;
    const auto slide = pipeline::parse_duration_ms(stage_option(*window, "slide", size));
    if (!slide || *slide != size_ms)
      throw std::invalid_argument("stage '" + window->name +
                                  "' has hopping windows (slide < size); raw rows are accounted "
                                  "per window for tumbling windows only");
    for (const auto& g : window->options["group_by"]) group_by.push_back(g.Scalar());
    for (const auto& a : window->options["aggregates"]) {
      if (a.second.Scalar() == "count") count_name = a.first.Scalar();
    }
    if (count_name.empty())
      throw std::invalid_argument(
          "stage '" + window->name +
          "' has no `count` aggregate to check window rows against raw rows");
    late_topic = stage_option(*window, "late_topic", window->input + ".late");
    lateness_ms =
        pipeline::parse_duration_ms(stage_option(*window, "allowed_lateness", "0")).value_or(0);
  }
};

std::string double_text(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

// A cell's text for grouping: strings as they are, other values as JSON would write them.
std::string cell_text(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v.v)) return *s;
  if (const auto* i = std::get_if<int64_t>(&v.v)) return std::to_string(*i);
  if (const auto* i = std::get_if<int32_t>(&v.v)) return std::to_string(*i);
  if (const auto* b = std::get_if<bool>(&v.v)) return *b ? "true" : "false";
  if (const auto* d = std::get_if<double>(&v.v)) return double_text(*d);
  return "null";
}

std::string json_text(simdjson::dom::element e) {
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
  if (double d; !e.is_int64() && e.get_double().get(d) == simdjson::SUCCESS) return double_text(d);
  return std::string(simdjson::minify(e));
}

struct Cell {
  int64_t raw = 0, late = 0, rows = 0, counted = 0;
};
using WindowKey = std::pair<int64_t, std::string>;  // window start (ms), group values

std::string describe(const WindowKey& k) {
  std::string g = k.second;
  std::replace(g.begin(), g.end(), '\x1f', ',');
  return format_iso8601_utc(k.first) + " [" + g + "]";
}

class WindowReport : public AccountingReport {
 public:
  int64_t events = 0, front_dlq = 0, passed = 0, raw_rows = 0, raw_dlq = 0, late = 0;
  int64_t window_rows = 0, window_dlq = 0, rows_dlq = 0, counted = 0, windows_checked = 0;
  int64_t open_windows = 0;  // no row yet, ending after the estimated watermark
  std::string front_name, late_topic;
  SourceManifest manifest;
  std::vector<std::string> missing, duplicated, mismatched, unaccounted;

  bool ok() const override {
    return missing.empty() && duplicated.empty() && mismatched.empty() && unaccounted.empty();
  }

  void print(FILE* out, bool drained) const override {
    auto n = [](int64_t v) { return static_cast<long long>(v); };
    std::fprintf(out, "events in:           %lld (%lld dead-lettered by %s)\n", n(events),
                 n(front_dlq), front_name.c_str());
    if (manifest.present) {
      std::fprintf(out, "  source manifest:   %lld events:", n(manifest.events));
      for (const auto& [k, v] : manifest.expected) std::fprintf(out, " %lld %s", n(v), k.c_str());
      std::fprintf(out, "\n");
    }
    std::fprintf(out, "raw rows:            %lld (of %lld passed on; %lld in the raw sink's DLQ)\n",
                 n(raw_rows), n(passed), n(raw_dlq));
    std::fprintf(out, "late records:        %lld (on %s; raw rows outside every window)\n", n(late),
                 late_topic.c_str());
    std::fprintf(
        out, "window rows:         %lld, counting %lld raw rows (%lld window DLQ, %lld row DLQ)\n",
        n(window_rows), n(counted), n(window_dlq), n(rows_dlq));
    std::fprintf(out,
                 "windows checked:     %lld (raw rows = count + late records); %lld still open\n",
                 n(windows_checked), n(open_windows));
    std::fprintf(out, "duplicate rows:      %zu\n", duplicated.size());
    auto list = [&](const char* what, const std::vector<std::string>& items) {
      for (size_t i = 0; i < items.size() && i < 50; ++i)
        std::fprintf(out, "%s %s\n", what, items[i].c_str());
      if (items.size() > 50) std::fprintf(out, "%s ... and %zu more\n", what, items.size() - 50);
    };
    list(drained ? "UNACCOUNTED" : "IN FLIGHT", unaccounted);
    list(drained ? "MISSING WINDOW" : "OPEN WINDOW", missing);
    list("DUPLICATE", duplicated);
    list("COUNT MISMATCH", mismatched);
    if (!drained && duplicated.empty() && mismatched.empty()) {
      std::fprintf(out,
                   "INCOMPLETE: stopped with records in flight or windows open; nothing "
                   "duplicated or miscounted so far\n");
      return;
    }
    std::fprintf(out, "%s\n",
                 ok() ? "OK: every event is a raw row or a DLQ record, and every raw row is "
                        "counted in exactly one window row or is a late record"
                      : "FAILED: see the UNACCOUNTED / MISSING WINDOW / DUPLICATE / COUNT "
                        "MISMATCH lines above");
  }

  std::string json(const PassCost& cost) const override {
    json::JsonWriter w;
    w.begin_object()
        .field("ok", ok())
        .field("events", events)
        .field("events_dead_lettered", front_dlq);
    w.field("passed_on", passed).field("raw_rows", raw_rows).field("raw_dead_lettered", raw_dlq);
    w.field("late_records", late).field("window_rows", window_rows).field("counted", counted);
    w.field("windows_checked", windows_checked).field("open_windows", open_windows);
    if (manifest.present) {
      w.key("manifest").begin_object().field("events", manifest.events);
      for (const auto& [k, v] : manifest.expected) w.field(k, v);
      w.end_object();
    }
    auto list = [&](const char* name, const std::vector<std::string>& items) {
      w.key(name).begin_array();
      for (const auto& item : items) w.value(item);
      w.end_array();
    };
    list("unaccounted", unaccounted);
    list("missing_windows", missing);
    list("duplicated", duplicated);
    list("count_mismatches", mismatched);
    write_pass_cost(w, cost);
    return w.end_object().str();
  }
};

}  // namespace

std::unique_ptr<AccountingReport> account_windows(const pipeline::PipelineConfig& config,
                                                  const AccountingRequest& request,
                                                  PassCost& cost) {
  const Shape shape(config);
  kafka::AdminClient admin(
      {request.bootstrap.empty() ? config.bootstrap : request.bootstrap, 30000});
  cost = {};
  cost.why_full = "windows are accounted in one full pass";
  auto report = std::make_unique<WindowReport>();
  WindowReport& r = *report;
  r.late_topic = shape.late_topic;
  r.front_name = shape.front ? shape.front->name : shape.window->name;
  TopicCounter topics(admin, cost, request.since_ms);
  auto count = [&](const std::string& topic, bool since,
                   const std::function<void(const ScannedRecord&)>& visit) {
    return topics.count(topic, since, visit);
  };
  auto dlq = [&](const pipeline::StageConfig& s) { return topics.dead_letters(s); };
  r.events = count(shape.front ? shape.front->input : shape.window->input, true, nullptr);
  r.front_dlq = shape.front ? dlq(*shape.front) : 0;
  r.passed = shape.front ? count(shape.window->input, false, nullptr) : r.events;
  r.raw_dlq = dlq(*shape.raw);
  r.window_dlq = dlq(*shape.window);
  r.rows_dlq = dlq(*shape.rows);

  std::map<WindowKey, Cell> cells;
  simdjson::dom::parser parser;
  r.late = count(shape.late_topic, false, [&](const ScannedRecord& rec) {
    const std::string* missed = rec.last_header(kafka::header::kWindowMissed);
    const auto start =
        missed ? parse_iso8601_ms(missed->substr(0, missed->find('/'))) : std::optional<int64_t>();
    simdjson::padded_string padded(rec.value);
    simdjson::dom::object object;
    if (!start || parser.parse(padded).get_object().get(object) != simdjson::SUCCESS) {
      r.mismatched.push_back("late record at " + rec.topic + "/" + std::to_string(rec.partition) +
                             "@" + std::to_string(rec.offset) + " names no window or is not JSON");
      return;
    }
    std::string group;
    for (size_t i = 0; i < shape.group_by.size(); ++i) {
      simdjson::dom::element v;
      if (i > 0) group += '\x1f';
      group += object[shape.group_by[i]].get(v) == simdjson::SUCCESS ? json_text(v) : "null";
    }
    cells[{*start, group}].late += 1;
  });

  SinkTable raw(config, *shape.raw);
  SinkTable rows(config, *shape.rows);
  auto group_columns = [&](const SinkTable& t) {
    std::vector<size_t> cols;
    for (const auto& g : shape.group_by) cols.push_back(t.column(g));
    return cols;
  };
  auto group_of = [&](const Row& row, const std::vector<size_t>& cols) {
    std::string group;
    for (size_t i = 0; i < cols.size(); ++i) {
      if (i > 0) group += '\x1f';
      group += cell_text(row[cols[i]]);
    }
    return group;
  };
  int64_t newest = INT64_MIN;  // the highest event time of a raw row
  if (raw.version() >= 0) {
    const size_t time_col = raw.column(shape.time_field);
    const auto cols = group_columns(raw);
    raw.each_row(
        [&](const Row& row) {
          r.raw_rows += 1;
          const auto* micros = std::get_if<int64_t>(&row[time_col].v);
          if (!micros) {
            r.mismatched.push_back("a raw row without " + shape.time_field);
            return;
          }
          const int64_t ms = floor_div(*micros, 1000);
          newest = std::max(newest, ms);
          cells[{floor_div(ms, shape.size_ms) * shape.size_ms, group_of(row, cols)}].raw += 1;
        },
        cost.files_read);
  }
  cost.table_version = rows.version();
  if (rows.version() >= 0) {
    const size_t start_col = rows.column("window_start");
    const size_t count_col = rows.column(shape.count_name);
    const auto cols = group_columns(rows);
    rows.each_row(
        [&](const Row& row) {
          r.window_rows += 1;
          const auto* micros = std::get_if<int64_t>(&row[start_col].v);
          const auto* n = std::get_if<int64_t>(&row[count_col].v);
          if (!micros || !n) {
            r.mismatched.push_back("a window row without window_start or " + shape.count_name);
            return;
          }
          Cell& c = cells[{floor_div(*micros, 1000), group_of(row, cols)}];
          c.rows += 1;
          c.counted = *n;
          if (c.rows == 1) r.counted += *n;
        },
        cost.files_read);
  }

  // A window still open has no row yet (append mode): one ending after the watermark as
  // the raw rows put it (their highest event time - allowed lateness), give or take a
  // window for partitions a little behind the highest one, is not reported missing.
  const int64_t open_after =
      newest == INT64_MIN ? INT64_MIN : newest - shape.lateness_ms - shape.size_ms;
  for (const auto& [key, c] : cells) {
    const int64_t expected = c.raw - c.late;
    if (c.rows == 0 && expected > 0 && key.first + shape.size_ms > open_after) {
      r.open_windows += 1;
      continue;
    }
    if (c.rows > 1) r.duplicated.push_back(describe(key) + ": " + std::to_string(c.rows) + " rows");
    if (c.rows == 0 && expected > 0) {
      r.missing.push_back(describe(key) + ": " + std::to_string(expected) + " raw rows, no row");
    } else if (c.rows > 0 && c.counted != expected) {
      r.mismatched.push_back(describe(key) + ": count " + std::to_string(c.counted) + ", " +
                             std::to_string(c.raw) + " raw rows, " + std::to_string(c.late) +
                             " late");
    } else if (c.rows == 0 && expected < 0) {
      r.mismatched.push_back(describe(key) + ": " + std::to_string(c.late) + " late records but " +
                             std::to_string(c.raw) + " raw rows");
    }
    if (c.rows > 0) r.windows_checked += 1;
  }
  auto must_equal = [&](int64_t got, int64_t want, const std::string& what) {
    if (got != want)
      r.unaccounted.push_back(what + ": " + std::to_string(got) + ", expected " +
                              std::to_string(want));
  };
  if (shape.front) must_equal(r.front_dlq + r.passed, r.events, "DLQ records + records passed on");
  must_equal(r.raw_rows + r.raw_dlq, r.passed, "raw rows + raw sink DLQ records");
  r.manifest = read_source_manifest(request.manifest_path);
  if (r.manifest.present && request.since_ms < 0) {
    must_equal(r.events, r.manifest.events, "events on the input (the source's manifest)");
    must_equal(r.front_dlq, r.manifest.of("dlq"), "DLQ records (manifest: expected dlq)");
    must_equal(r.late, r.manifest.of("late"), "late records (manifest: expected late)");
  }
  return report;
}

}  // namespace sluice::cli
