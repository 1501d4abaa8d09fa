// A pipeline's `schemas:` (pipeline_config.h) put into the schema registry
// `sluice up` started: each subject's compatibility level set, then its .avsc
// file registered — the same schema again keeps its id, so a restart of
// `sluice up` changes nothing.
#pragma once

#include <string>

#include "pipeline/pipeline_config.h"

namespace sluice::cli {

// Throws std::runtime_error naming the subject, the file and the registry's
// reason (an incompatible schema: 409 with what does not fit).
void register_declared_schemas(const std::string& registry_url,
                               const pipeline::PipelineConfig& config);

}  // namespace sluice::cli
