#include "cli/support/stage_status.h"

#include <simdjson.h>

#include "cli/support/json_fields.h"

namespace sluice::cli {

std::vector<StageState> parse_status(const std::string& body) {
  std::vector<StageState> out;
  simdjson::dom::parser parser;
  simdjson::dom::array stages;
  if (parser.parse(body).get_array().get(stages) != simdjson::SUCCESS) return out;
  for (simdjson::dom::element e : stages) {
    StageState s;
    std::string_view name;
    if (e["stage"].get_string().get(name) != simdjson::SUCCESS) continue;
    s.stage = std::string(name);
    read_field(e, "paused", s.paused);
    read_field(e, "assigned_partitions", s.assigned_partitions);
    read_field(e, "buffered", s.buffered);
    read_field(e, "in_flight", s.in_flight);
    read_field(e, "processed", s.processed);
    read_field(e, "dead_lettered", s.dead_lettered);
    std::string_view stalled;
    if (e["stalled"].get_string().get(stalled) == simdjson::SUCCESS) s.stalled = stalled;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace sluice::cli
