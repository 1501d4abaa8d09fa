#include "cli/up/degradation_view.h"

#include <simdjson.h>

#include <cstdio>

#include "cli/support/table.h"
#include "common/iso8601.h"
#include "common/json.h"

namespace sluice::cli {
namespace {

template <typename T>
void read_field(simdjson::dom::element e, const char* key, T& out) {
  T value{};
  if (e[key].get(value) == simdjson::SUCCESS) out = value;
}

void read_text(simdjson::dom::element e, const char* key, std::string& out) {
  std::string_view value;
  if (e[key].get_string().get(value) == simdjson::SUCCESS) out = value;
}

std::string mebibytes(int64_t bytes) {
  char out[32];
  std::snprintf(out, sizeof out, "%.0f MiB", double(bytes) / (1 << 20));
  return out;
}

}  // namespace

void parse_degradation(const std::string& body, const std::string& process,
                       const std::string& admin, std::vector<DegradationRow>& out) {
  simdjson::dom::parser parser;
  simdjson::dom::array stages;
  if (parser.parse(body).get_array().get(stages) != simdjson::SUCCESS) return;
  for (simdjson::dom::element e : stages) {
    DegradationRow r{process, admin};
    read_text(e, "stage", r.stage);
    if (r.stage.empty()) continue;
    read_text(e, "level", r.level);
    read_text(e, "mode", r.mode);
    read_text(e, "parked_topic", r.parked_topic);
    read_field(e, "lag", r.lag);
    read_field(e, "memory_bytes", r.memory_bytes);
    read_field(e, "since_ms", r.since_ms);
    read_field(e, "parked", r.parked);
    out.push_back(std::move(r));
  }
}

void print_degradation(const std::vector<DegradationRow>& rows, bool as_json) {
  if (as_json) {
    json::JsonWriter w;
    w.begin_array();
    for (const auto& r : rows) {
      w.begin_object().key("process");
      r.process.empty() ? w.null() : w.value(r.process);
      w.field("admin", r.admin).field("stage", r.stage).field("level", r.level);
      w.field("mode", r.mode).field("lag", r.lag).field("memory_bytes", r.memory_bytes);
      w.field("since_ms", r.since_ms).field("parked", r.parked);
      w.field("parked_topic", r.parked_topic).end_object();
    }
    std::printf("%s\n", w.end_array().str().c_str());
    return;
  }
  Table t({"PROCESS", "STAGE", "LEVEL", "MODE", "LAG", "MEMORY", "SINCE", "PARKED"});
  for (const auto& r : rows) {
    t.add({r.process.empty() ? r.admin : r.process, r.stage, r.level, r.mode, std::to_string(r.lag),
           r.memory_bytes > 0 ? mebibytes(r.memory_bytes) : "-",
           r.since_ms > 0 ? format_iso8601_utc(r.since_ms) : "-",
           std::to_string(r.parked) + (r.parked > 0 ? " in " + r.parked_topic : "")});
  }
  t.print();
}

}  // namespace sluice::cli
