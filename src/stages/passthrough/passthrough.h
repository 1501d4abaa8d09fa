// `passthrough`: copies each record (key, value, headers) to every output topic.
// The baseline stage for benchmarks and the smallest useful pipeline.
#pragma once

#include "pipeline/processor.h"

namespace sluice::stages {

class Passthrough : public pipeline::Processor, public pipeline::RecordFilter {
 public:
  explicit Passthrough(std::vector<std::string> outputs) : outputs_(std::move(outputs)) {}
  // As a configured stage: `passthrough` takes no options.
  explicit Passthrough(const pipeline::ProcessorContext& context);
  pipeline::Outcome process(const pipeline::Record& record) override;
  pipeline::RecordFilter* filter() override { return this; }
  pipeline::Outcome check(const pipeline::Record&) override { return pipeline::Outcome::success(); }

  // True when process() would copy every header of `record`: it has none of
  // the runtime's own (sluice.*) but the trace id.
  static bool keeps_every_header(const pipeline::Record& record);

 private:
  std::vector<std::string> outputs_;
};

}  // namespace sluice::stages
