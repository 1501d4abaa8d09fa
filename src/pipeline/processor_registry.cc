#include <stdexcept>

#include "pipeline/pipeline_config.h"
#include "pipeline/processor.h"

namespace sluice::pipeline {

ProcessorRegistry& ProcessorRegistry::instance() {
  static ProcessorRegistry registry;
  return registry;
}

void ProcessorRegistry::add(const std::string& name, std::set<std::string> options,
                            ProcessorFactory factory) {
  entries_[name] = {std::move(options), std::move(factory)};
}

namespace {

// Where a processor's option (or, for "", its `processor:` key) was written.
ConfigSource source_of(const ProcessorContext& context, const std::string& key) {
  auto where = context.option_sources.find(key);
  if (where == context.option_sources.end()) where = context.option_sources.find("");
  return where == context.option_sources.end() ? ConfigSource{} : where->second;
}

ConfigError located(const ProcessorContext& context, const OptionError& e) {
  return ConfigError(source_of(context, e.key()), "", e.what(), e.hint());
}

}  // namespace

const ProcessorRegistry::Entry& ProcessorRegistry::find(const std::string& name,
                                                        const ProcessorContext& context) const {
  auto it = entries_.find(name);
  if (it != entries_.end()) return it->second;
  std::string known;
  for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
  throw ConfigError(source_of(context, ""), "",
                    "stage '" + context.stage + "': unknown processor '" + name + "'",
                    "known processors: " + known);
}

void ProcessorRegistry::check(const std::string& name, const ProcessorContext& context) const {
  const Entry& entry = find(name, context);
  try {
    reject_unknown_options(context, entry.options);
  } catch (const OptionError& e) {
    throw located(context, e);
  }
}

std::unique_ptr<Processor> ProcessorRegistry::create(const std::string& name,
                                                     const ProcessorContext& context) const {
  check(name, context);
  try {
    return find(name, context).factory(context);
  } catch (const OptionError& e) {
    throw located(context, e);
  }
}

std::vector<std::string> ProcessorRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [n, e] : entries_) out.push_back(n);
  return out;
}

ProcessorContext processor_context(const PipelineConfig& config, const StageConfig& stage,
                                   ops::MetricsRegistry* metrics) {
  ProcessorContext c;
  c.stage = stage.name;
  c.outputs = stage.outputs;
  c.options = stage.options;
  c.metrics = metrics;
  c.processor = stage.processor;
  c.base_dir = config.base_dir;
  c.option_sources = stage.option_sources;
  if (stage.dlq.enabled) c.dead_letter_topic = stage.dlq.topic;
  c.schema_registry = config.schema_registry;
  c.dead_letter_headers = stage.dlq.headers;
  return c;
}

}  // namespace sluice::pipeline
