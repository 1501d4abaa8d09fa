// `fault-injector`: a passthrough whose failures are chosen by the record
// itself, so tests and demos can drive every failure path of the runtime with
// real records. A value starting with
//   poison         -> validation failure (straight to the DLQ)
//   permanent      -> permanent failure (straight to the DLQ)
//   flaky:N:       -> transient failure for the first N attempts of that record, then success
//   always-failing -> transient failure on every attempt (walks the delay topics into the DLQ)
//   throw          -> the processor throws (the runtime must survive it)
//   slow-failing:MS: -> sleeps MS milliseconds, then fails as a timeout (a hanging
//                     dependency: walks the delay topics, holding a worker each time)
//   sleep:MS:      -> sleeps MS milliseconds, then succeeds (slow optional enrichment:
//                     skipped while the stage is degraded, docs/degradation.md)
// Option `dependency_down_file: PATH`: while PATH exists every record fails as
// transient, charged to the dependency named by option `dependency` (default
// "downstream") — an outage an operator (or a test) can switch on and off.
#pragma once

#include <map>
#include <mutex>

#include "pipeline/processor.h"
#include "stages/passthrough/passthrough.h"

namespace sluice::stages {

class FaultInjector : public pipeline::Processor {
 public:
  explicit FaultInjector(const pipeline::ProcessorContext& context);
  pipeline::Outcome process(const pipeline::Record& record) override;

 private:
  int attempt_of(const pipeline::Record& record);

  Passthrough passthrough_;
  std::string down_file_;
  std::string dependency_;
  std::mutex mu_;
  std::map<std::string, int> attempts_;  // by trace id, for flaky records
};

}  // namespace sluice::stages
