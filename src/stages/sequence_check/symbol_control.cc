#include "stages/sequence_check/symbol_control.h"

#include <simdjson.h>

#include <stdexcept>

#include "common/json.h"

namespace sluice::stages::symbol_control {

pipeline::OutputRecord command_record(const std::string& input, int32_t partition,
                                      const std::string& key, const std::string& command,
                                      const std::string& reason) {
  pipeline::OutputRecord out{input,
                             key,
                             "{\"command\":" + json::quote(command) + ",\"key\":" +
                                 json::quote(key) + ",\"reason\":" + json::quote(reason) + "}",
                             {{kCommand, command}}};
  out.partition = partition;
  return out;
}

std::string status_json(const SymbolStatus& s) {
  return "{\"key\":" + json::quote(s.key) + ",\"state\":\"" + (s.halted ? "halted" : "running") +
         "\",\"reason\":" + json::quote(s.reason) +
         ",\"last_sequence\":" + std::to_string(s.last_sequence) +
         ",\"parked\":" + std::to_string(s.parked) + ",\"stage\":" + json::quote(s.stage) +
         ",\"partition\":" + std::to_string(s.partition) + "}";
}

SymbolStatus parse_status_json(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::object o;
  if (parser.parse(text).get_object().get(o) != simdjson::SUCCESS)
    throw std::invalid_argument("not a JSON object");
  SymbolStatus s;
  std::string_view v;
  if (o["key"].get_string().get(v) != simdjson::SUCCESS) throw std::invalid_argument("no \"key\"");
  s.key = v;
  if (o["state"].get_string().get(v) == simdjson::SUCCESS) s.halted = v == "halted";
  if (o["reason"].get_string().get(v) == simdjson::SUCCESS) s.reason = v;
  if (o["stage"].get_string().get(v) == simdjson::SUCCESS) s.stage = v;
  int64_t n = 0;
  if (o["last_sequence"].get_int64().get(n) == simdjson::SUCCESS) s.last_sequence = n;
  if (o["parked"].get_int64().get(n) == simdjson::SUCCESS) s.parked = n;
  if (o["partition"].get_int64().get(n) == simdjson::SUCCESS) s.partition = int32_t(n);
  return s;
}

}  // namespace sluice::stages::symbol_control
