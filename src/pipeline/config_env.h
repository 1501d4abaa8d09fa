// Environment overrides: SLUICE_PIPELINE / SLUICE_BOOTSTRAP / SLUICE_ADMIN for
// the pipeline, SLUICE_STAGE_<NAME>_<KEY> for a stage's settings (KEY is the
// dotted key path upper-cased with '_'), SLUICE_STAGE_<NAME>_OPTIONS_<KEY> for
// a processor option and SLUICE_STAGE_<NAME>_BREAKERS_<BREAKER>_<KEY> for a
// breaker. Values are read by the same readers as the file, so they accept the
// same spellings. Invariant: a SLUICE_STAGE_* variable that sets nothing is an
// error (a typo must not silently leave the file's value in force); other
// SLUICE_* variables belong to other tools and are ignored, as are empty values.
#pragma once

#include "pipeline/config_values.h"
#include "pipeline/pipeline_config.h"

namespace sluice::pipeline {

// Applies every override in `env` to `config`, recording their sources.
void apply_environment(PipelineConfig& config, const Environment& env, SourceMap& sources);

}  // namespace sluice::pipeline
