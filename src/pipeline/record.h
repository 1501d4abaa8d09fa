// What a stage's processor sees and returns. A Record is one consumed Kafka
// message (kafka::Record) with the stage's additions; an Outcome is either the
// records to produce or a categorized failure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kafka/record.h"
#include "pipeline/error_category.h"

namespace sluice::pipeline {

using Headers = kafka::Headers;
using OutputRecord = kafka::OutputRecord;
namespace header = kafka::header;

// The consumed record plus what the runtime adds before handing it to a processor.
struct Record : kafka::Record {
  std::string trace_id;   // from the sluice.trace_id header, or minted on first sight
  bool degraded = false;  // the stage is at SOFT or above (docs/degradation.md): skip optional work
  // Inside a chain, the record the stage consumed, of which this one is a
  // step's rewrite (decoded, enriched); null for the consumed record itself.
  // Valid only during the process() call: a step that sets a record aside
  // (sequence-check parking a halted key's tick) keeps the consumed bytes, so
  // a replay re-enters the chain at its first step.
  const Record* consumed = nullptr;
};

struct Outcome {
  bool ok = true;
  std::vector<OutputRecord> outputs;
  ErrorCategory category = ErrorCategory::kTransient;
  std::string message;     // what went wrong, for the DLQ header and the log
  std::string dependency;  // the breaker to charge, if a dependency failed
  bool deferred = false;   // buffered by a DurableSink: done once the sink says it is durable

  static Outcome success(std::vector<OutputRecord> outputs = {}) {
    Outcome o;
    o.outputs = std::move(outputs);
    return o;
  }
  static Outcome deferred_success() {
    Outcome o;
    o.deferred = true;
    return o;
  }
  static Outcome failure(ErrorCategory category, std::string message, std::string dependency = "") {
    Outcome o;
    o.ok = false;
    o.category = category;
    o.message = std::move(message);
    o.dependency = std::move(dependency);
    return o;
  }
};

}  // namespace sluice::pipeline
