// The `schema:` option of a processor (ingest, validate): a JSON Schema file,
// its path resolved against the pipeline file's directory, compiled at stage
// start so a bad schema stops the stage with FILE:LINE, never a record.
#pragma once

#include <string>
#include <vector>

#include "pipeline/processor.h"
#include "stages/json_schema/json_schema.h"

namespace sluice::stages::json_schema {

struct SchemaOption {
  std::string path;  // resolved
  Schema schema;
};

// Throws pipeline::OptionError (naming the stage, the processor and an example)
// when the option is missing or the file does not compile.
SchemaOption load_schema_option(const pipeline::ProcessorContext& c, const std::string& processor,
                                const std::string& example);

// "v1; v2; ..." for a DLQ reason.
std::string joined(const std::vector<std::string>& violations);

}  // namespace sluice::stages::json_schema
