#include "cli/support/up_progress.h"

#include <httplib.h>
#include <simdjson.h>

#include <algorithm>
#include <optional>

#include "ops/text_format.h"

namespace sluice::cli {
namespace {

void add(PipelineFigures& f, const std::map<std::string, double>& page) {
  for (const auto& [series, value] : page) {
    const std::string name = ops::series_name(series);
    if (name == "kafka_messages_consumed_total")
      f.consumed[ops::label_value(series, "topic")] += value;
    if (name == "kafka_messages_produced_total")
      f.produced[ops::label_value(series, "topic")] += value;
    if (name == "kafka_consumer_lag") f.lag += value;
    if (name == "kafka_circuit_breaker_state" && value == 1) {
      f.open_breakers += 1;
      f.open_breaker_names.insert(ops::label_value(series, "breaker"));
    }
    if (name == "kafka_processing_errors_total") {
      f.errors += value;
      f.stage_errors[ops::label_value(series, "stage")] += value;
    }
    if (std::string group = ops::label_value(series, "consumer_group"); !group.empty())
      f.groups.insert(group);
    if (name == "kafka_consumer_lag_seconds")
      f.max_lag_seconds = std::max(f.max_lag_seconds, value);
    // 0 until every partition the process waits for has a record: not a watermark yet.
    if (name == "sluice_window_watermark_seconds" && value > 0) {
      const std::string stage = ops::label_value(series, "stage");
      auto [it, fresh] = f.watermarks.emplace(stage, value);
      if (!fresh) it->second = std::min(it->second, value);
    }
  }
}

// The body of a 200 answer to GET `path`; nothing from a target that is down
// (port 0), slow to connect (300 ms) or slow to answer (1 s): it is asked again next second.
std::optional<std::string> get_page(const ScrapeTarget& t, const std::string& path) {
  if (t.port <= 0) return std::nullopt;
  httplib::Client client(t.host, t.port);
  client.set_connection_timeout(0, 300000);
  client.set_read_timeout(1, 0);
  auto res = client.Get(path);
  if (!res || res->status != 200) return std::nullopt;
  return std::move(res->body);
}

}  // namespace

double PipelineFigures::dead_lettered() const {
  double total = 0;
  for (const auto& [topic, n] : produced) {
    if (topic.ends_with(".dlq") || topic.ends_with(".dlq.parked")) total += n;
  }
  return total;
}

double PipelineFigures::total_consumed() const {
  double total = 0;
  for (const auto& [topic, n] : consumed) total += n;
  return total;
}

std::set<std::string> paused_stages(const std::vector<ScrapeTarget>& targets) {
  std::set<std::string> out;
  simdjson::dom::parser parser;
  for (const auto& t : targets) {
    const std::optional<std::string> body = get_page(t, "/status");
    simdjson::dom::array stages;
    if (!body || parser.parse(*body).get(stages)) continue;
    for (auto stage : stages) {  // [{"stage":"download","paused":true,...}, ...]
      std::string_view name;
      bool paused = false;
      if (!stage["stage"].get(name) && !stage["paused"].get(paused) && paused) {
        out.insert(std::string(name));
      }
    }
  }
  return out;
}

PipelineFigures scrape(const std::vector<ScrapeTarget>& targets) {
  PipelineFigures f;
  for (const auto& t : targets) {
    const std::optional<std::string> body = get_page(t, "/metrics");
    if (!body) continue;
    try {
      add(f, ops::parse_prometheus_text(*body));
      f.processes_up += 1;
      f.answered.insert(t.host + ":" + std::to_string(t.port));
    } catch (const std::exception&) {
      // A page cut short by a dying process: count it as down this second.
    }
  }
  return f;
}

}  // namespace sluice::cli
