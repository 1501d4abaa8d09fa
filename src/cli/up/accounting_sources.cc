#include "cli/up/accounting_sources.h"

#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "lake/delta/data_file.h"
#include "pipeline/processor.h"
#include "pipeline/processor_options.h"

namespace sluice::cli {

namespace {

std::string option_in(const YAML::Node& options, const std::string& stage, const char* key,
                      const std::string& fallback) {
  const YAML::Node n = options ? options[key] : YAML::Node();
  if (!n) {
    if (!fallback.empty()) return fallback;
    throw std::invalid_argument("stage '" + stage + "' has no option '" + key +
                                "', which its pipeline's accounting needs");
  }
  return n.Scalar();
}

}  // namespace

std::string stage_option(const pipeline::StageConfig& s, const char* key,
                         const std::string& fallback) {
  return option_in(s.options, s.name, key, fallback);
}

std::string PipelinePart::option(const char* key, const std::string& fallback) const {
  return option_in(options, stage->name, key, fallback);
}

PipelinePart find_part(const pipeline::PipelineConfig& c, const std::string& processor) {
  for (const auto& s : c.stages) {
    if (s.processor == processor) return {&s, s.options};
    if (s.processor != "chain" || !s.options["steps"]) continue;
    for (const auto& step : s.options["steps"])
      if (step["processor"] && step["processor"].Scalar() == processor)
        return {&s, step["options"] ? step["options"] : YAML::Node(YAML::NodeType::Map)};
  }
  return {};
}

SinkTable::SinkTable(const pipeline::PipelineConfig& c, const pipeline::StageConfig& sink) {
  const auto context = pipeline::processor_context(c, sink, nullptr);
  store_ = lake::open_store(pipeline::resolve_option_path(context, stage_option(sink, "store")));
  name_ = stage_option(sink, "table");
  table_ = std::make_unique<lake::delta::DeltaTable>(*store_, name_);
  state_ = table_->state();
  if (state_.version >= 0)
    schema_ = lake::delta::parse_schema_string(state_.metadata.schema_string);
}

size_t SinkTable::column(const std::string& name) const {
  for (size_t i = 0; i < schema_.size(); ++i)
    if (schema_[i].name == name) return i;
  throw std::invalid_argument("table " + name_ + " in " + store_->url() + " has no column '" +
                              name + "' to account by");
}

void SinkTable::each_row(const std::function<void(const lake::parquet::Row&)>& take,
                         int64_t& files) const {
  if (state_.version < 0) return;
  const lake::delta::PartitionLayout layout(state_.metadata);
  for (const auto& [path, file] : state_.files) {
    files += 1;
    for (const auto& row : lake::delta::read_data_file(table_->log(), layout, file)) take(row);
  }
}

int64_t TopicCounter::count(const std::string& topic, bool since,
                            const std::function<void(const ScannedRecord&)>& visit) {
  int64_t n = 0;
  try {
    scan_topic(admin_, topic,
               since && since_ms_ >= 0 ? std::optional<int64_t>(since_ms_) : std::nullopt,
               [&](ScannedRecord&& rec) {
                 cost_.records_read += 1;
                 n += 1;
                 if (visit) visit(rec);
               });
  } catch (const std::invalid_argument&) {
    // The topic was never created: nothing went there.
  }
  return n;
}

int64_t TopicCounter::dead_letters(const pipeline::StageConfig& s) {
  return count(s.dlq.topic) + count(s.dlq.topic + ".parked") + count(s.degradation.parked_topic);
}

SourceManifest read_source_manifest(const std::string& path) {
  SourceManifest m;
  if (path.empty() || !std::filesystem::exists(path)) return m;
  m.present = true;
  std::ifstream in(path);
  simdjson::dom::parser parser;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    std::string_view expected;
    simdjson::padded_string padded(line);
    if (parser.parse(padded)["expected"].get_string().get(expected) != simdjson::SUCCESS) continue;
    m.events += 1;
    m.expected[std::string(expected)] += 1;
  }
  return m;
}

}  // namespace sluice::cli
