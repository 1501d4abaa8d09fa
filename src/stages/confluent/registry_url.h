// Which schema registry a stage's Avro processor talks to: its own `registry`
// option, else the pipeline's `schema_registry` (which `sluice up` points at the
// registry it starts, through SLUICE_SCHEMA_REGISTRY: docs/registry.md).
#pragma once

#include <string>

#include "pipeline/processor.h"

namespace sluice::stages {

// An http:// or https:// URL; throws pipeline::OptionError naming the stage and
// processor when neither is set or the text is not such a URL.
std::string registry_url(const pipeline::ProcessorContext& c);

}  // namespace sluice::stages
