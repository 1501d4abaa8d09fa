#include <stdexcept>

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
    throw std::invalid_argument("stage '" + context.stage + "': unknown processor '" + name +
                                "' (known: " + known + ")");
  }
  return it->second(context);
}

std::vector<std::string> ProcessorRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [n, f] : factories_) out.push_back(n);
  return out;
}

}  // namespace sluice::pipeline
