#include "cli/incident/incident_evidence.h"

#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/incident/incident_templates.h"
#include "ops/text_format.h"

namespace sluice::cli {
namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<double> number_at(simdjson::dom::element e, const char* key) {
  double v = 0;
  if (e[key].get(v) == simdjson::SUCCESS) return v;
  int64_t i = 0;
  if (e[key].get(i) == simdjson::SUCCESS) return double(i);
  return std::nullopt;
}

AssessmentEvidence parse_assessment(const std::string& text, const std::string& dir) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text).get(root) != simdjson::SUCCESS)
    throw std::runtime_error(dir + "/assessment.json is not JSON");
  AssessmentEvidence a;
  std::string_view s;
  if (root["severity"].get(s) == simdjson::SUCCESS) a.severity = s;
  std::string_view at;
  const bool dated = root["assessed_at"].get(at) == simdjson::SUCCESS;
  a.origin = "snapshot " + dir + (dated ? " (assessed " + std::string(at) + ")" : "");
  simdjson::dom::array reasons;
  if (root["reasons"].get(reasons) == simdjson::SUCCESS) {
    for (auto r : reasons) {
      if (r["text"].get(s) == simdjson::SUCCESS) a.reasons.emplace_back(s);
    }
  }
  simdjson::dom::element figures;
  if (root["figures"].get(figures) == simdjson::SUCCESS) {
    a.lag = number_at(figures, "lag");
    a.error_rate = number_at(figures, "error_rate");
    a.dlq_per_min = number_at(figures, "dlq_per_min");
    a.lag_seconds = number_at(figures, "lag_seconds");
  }
  simdjson::dom::array affected;
  if (root["affected"].get(affected) == simdjson::SUCCESS) {
    for (auto e : affected) {
      if (e.get(s) == simdjson::SUCCESS) a.affected.emplace_back(s);
    }
  }
  return a;
}

void add_page(MetricsEvidence& m, const std::map<std::string, double>& page) {
  for (const auto& [series, value] : page) {
    const std::string name = ops::series_name(series);
    if (name == "kafka_messages_produced_total") {
      const std::string topic = ops::label_value(series, "topic");
      if (topic.ends_with(".dlq") || topic.ends_with(".dlq.parked"))
        m.dead_lettered = m.dead_lettered.value_or(0) + value;
    } else if (name == "kafka_processing_errors_total") {
      m.errors_by_category[ops::label_value(series, "category")] += value;
      m.errors = m.errors.value_or(0) + value;
    } else if (name == "kafka_messages_consumed_total") {
      m.consumed = m.consumed.value_or(0) + value;
    } else if (name == "kafka_consumer_lag") {
      m.lag = m.lag.value_or(0) + value;
    }
  }
}

}  // namespace

SnapshotEvidence read_snapshot(const std::string& dir) {
  SnapshotEvidence out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    out.problems.push_back("snapshot folder " + dir +
                           " does not exist (write one with `sluice incident snapshot DIR`)");
    return out;
  }
  try {
    out.assessment = parse_assessment(read_all(fs::path(dir) / "assessment.json"), dir);
  } catch (const std::exception& e) {
    out.problems.push_back(std::string(e.what()) + " (no severity or figures from the snapshot)");
  }
  MetricsEvidence metrics;
  int pages = 0;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    const std::string name = path.filename().string();
    if (!name.starts_with("metrics-") || !name.ends_with(".prom")) continue;
    try {
      add_page(metrics, ops::parse_prometheus_text(read_all(path)));
      pages += 1;
    } catch (const std::exception& e) {
      out.problems.push_back(path.string() + ": " + e.what());
    }
  }
  if (pages > 0) {
    metrics.origin = "snapshot metrics (" + std::to_string(pages) + " page(s) in " + dir + ")";
    out.metrics = metrics;
  }
  const fs::path logs = fs::path(dir) / "logs";
  if (fs::is_directory(logs, ec)) {
    for (const auto& entry : fs::directory_iterator(logs, ec)) {
      if (entry.is_regular_file()) out.log_files.push_back(entry.path().string());
    }
    std::sort(out.log_files.begin(), out.log_files.end());
  }
  return out;
}

AssessmentEvidence live_assessment(const Assessed& a) {
  AssessmentEvidence out;
  out.origin = "live assessment at " + format_utc(a.at_ms);
  out.severity = std::string(ops::severity_name(a.assessment.severity));
  for (const auto& r : a.assessment.reasons) out.reasons.push_back(r.text);
  out.lag = a.figures.lag;
  out.error_rate = a.figures.error_rate;
  out.dlq_per_min = a.figures.dlq_per_min;
  out.lag_seconds = a.observation.after.max_lag_seconds;
  out.affected = a.observation.affected();
  return out;
}

MetricsEvidence live_metrics(const Assessed& a) {
  const PipelineFigures& f = a.observation.after;
  MetricsEvidence out;
  out.origin = "live /metrics of " + std::to_string(f.processes_up) + " stage process(es)";
  if (f.processes_up == 0) return out;
  out.dead_lettered = f.dead_lettered();
  out.errors = f.errors;
  out.consumed = f.total_consumed();
  out.lag = f.lag;
  return out;
}

}  // namespace sluice::cli
