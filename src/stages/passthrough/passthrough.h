// `passthrough`: copies each record (key, value, headers) to every output topic.
// The baseline stage for benchmarks and the smallest useful pipeline.
#pragma once

#include "pipeline/processor.h"

namespace sluice::stages {

class Passthrough : public pipeline::Processor {
 public:
  explicit Passthrough(std::vector<std::string> outputs) : outputs_(std::move(outputs)) {}
  // As a configured stage: `passthrough` takes no options.
  explicit Passthrough(const pipeline::ProcessorContext& context);
  pipeline::Outcome process(const pipeline::Record& record) override;

 private:
  std::vector<std::string> outputs_;
};

}  // namespace sluice::stages
