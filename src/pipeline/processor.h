// A stage's processing step. Everything about delivery — offsets, retries,
// dead letters, breakers, backpressure — lives in the runtime, so a processor
// only turns one record into outputs or a categorized failure.
//
// process() may be called from several worker threads at once (for records of
// different partitions), so implementations must be thread-safe.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/record.h"

namespace sluice::pipeline {

class Processor {
 public:
  virtual ~Processor() = default;
  virtual Outcome process(const Record& record) = 0;
};

struct ProcessorContext {
  std::string stage;
  std::vector<std::string> outputs;  // the stage's output topics, in configured order
  YAML::Node options;                // the stage's `options:` block
};

using ProcessorFactory = std::function<std::unique_ptr<Processor>(const ProcessorContext&)>;

// Processors register by name (the `processor:` key in pipeline YAML).
class ProcessorRegistry {
 public:
  static ProcessorRegistry& instance();
  void add(const std::string& name, ProcessorFactory factory);
  // Throws std::invalid_argument listing the known names when `name` is unknown.
  std::unique_ptr<Processor> create(const std::string& name, const ProcessorContext& context) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, ProcessorFactory> factories_;
};

}  // namespace sluice::pipeline
