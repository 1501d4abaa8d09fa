// `validate`: passes on each record whose value is JSON matching a JSON Schema
// (with per-type bounds written as allOf/if/then rules) and, optionally, whose
// event-time field is a timestamp not too far in the future; every other record
// fails as a validation error, so it goes to the DLQ with the rule that failed
// (sluice.error.message). Nothing is dropped silently. See docs/processors.md.
//
// Why JSON Schema and not a rules table: the same file documents the data
// contract, is read by every language's validators (a producer can check its
// events before sending), and if/then expresses "a door sensor reports 0 or 1"
// without a second rule language. What a schema cannot say — "not more than a
// day ahead of now" — is an option here.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "pipeline/processor.h"
#include "stages/json_schema/schema_option.h"
#include "stages/passthrough/passthrough.h"

namespace sluice::stages {

class Validate : public pipeline::Processor, public pipeline::RecordFilter {
 public:
  // Options: schema (required), event_time_field, max_future (a duration,
  // default 1d, only with event_time_field). Throws pipeline::OptionError.
  explicit Validate(const pipeline::ProcessorContext& context);
  pipeline::Outcome process(const pipeline::Record& record) override;
  pipeline::RecordFilter* filter() override { return this; }
  // The verdict alone: success without outputs, or the validation failure.
  pipeline::Outcome check(const pipeline::Record& record) override;

 private:
  Passthrough passthrough_;  // what a valid record becomes: a copy on every output
  json_schema::SchemaOption schema_;
  std::string event_time_field_;  // "" = no event-time checks
  int64_t max_future_ms_ = 0;
};

inline const std::set<std::string> kValidateOptionNames = {"schema", "event_time_field",
                                                           "max_future"};

}  // namespace sluice::stages
