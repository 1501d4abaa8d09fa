#include <stdexcept>

#include "pipeline/pipeline_config.h"
#include "pipeline/processor.h"

namespace sluice::pipeline {

ProcessorRegistry& ProcessorRegistry::instance() {
  static ProcessorRegistry registry;
  return registry;
}

void ProcessorRegistry::add(const std::string& name, ProcessorFactory factory) {
  factories_[name] = std::move(factory);
}

std::unique_ptr<Processor> ProcessorRegistry::create(const std::string& name,
                                                     const ProcessorContext& context) const {
  auto it = factories_.find(name);
  if (it == factories_.end()) {
    std::string known;
    for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
    auto where = context.option_sources.find("");
    throw ConfigError(where == context.option_sources.end() ? ConfigSource{} : where->second, "",
                      "stage '" + context.stage + "': unknown processor '" + name + "'",
                      "known processors: " + known);
  }
  try {
    return it->second(context);
  } catch (const OptionError& e) {
    auto where = context.option_sources.find(e.key());
    if (where == context.option_sources.end()) where = context.option_sources.find("");
    throw ConfigError(where == context.option_sources.end() ? ConfigSource{} : where->second, "",
                      e.what(), e.hint());
  }
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
  return c;
}

std::vector<std::string> ProcessorRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [n, f] : factories_) out.push_back(n);
  return out;
}

}  // namespace sluice::pipeline
