#include "cli/up/process_table.h"

#include <simdjson.h>

#include <stdexcept>

#include "cli/up/replace_file.h"
#include "common/json.h"

namespace sluice::cli {
namespace {

std::string path_in(const std::string& data_dir) {
  return data_dir + "/processes.json";
}

}  // namespace

void write_process_table(const std::string& data_dir, const std::vector<ProcessEntry>& entries) {
  json::JsonWriter w;
  w.begin_array();
  for (const auto& e : entries) {
    w.begin_object().field("name", e.name).field("stage", e.stage).field("pid", int64_t(e.pid));
    w.field("admin", e.admin).field("metrics", e.metrics).field("stopped", e.stopped);
    w.field("started_ms", e.started_ms).field("restarts", e.restarts);
    if (!e.group.empty()) w.field("group", e.group);
    w.end_object();
  }
  w.end_array();
  replace_file(path_in(data_dir), w.str() + "\n");
}

std::vector<ProcessEntry> read_process_table(const std::string& data_dir) {
  const std::string path = path_in(data_dir);
  simdjson::dom::parser parser;
  simdjson::dom::array items;
  simdjson::padded_string text;
  if (simdjson::padded_string::load(path).get(text) || parser.parse(text).get(items)) {
    throw std::runtime_error("no readable process table at " + path +
                             "; is `sluice up --data-dir " + data_dir +
                             "` running? (or pass --admin HOST:PORT)");
  }
  std::vector<ProcessEntry> out;
  for (auto item : items) {
    ProcessEntry e;
    std::string_view s;
    int64_t n = 0;
    if (!item["name"].get(s)) e.name = s;
    if (!item["stage"].get(s)) e.stage = s;
    if (!item["admin"].get(s)) e.admin = s;
    if (!item["group"].get(s)) e.group = s;
    if (!item["metrics"].get(s)) e.metrics = s;
    bool stopped = false;
    if (!item["stopped"].get(stopped)) e.stopped = stopped;
    if (!item["pid"].get(n)) e.pid = pid_t(n);
    if (!item["started_ms"].get(n)) e.started_ms = n;
    if (!item["restarts"].get(n)) e.restarts = int(n);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace sluice::cli
