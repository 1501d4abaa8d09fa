// Where `sluice up --data-dir DATA` puts a pipeline's files: a stage's relative
// `store:` option, `state_store:` and `degradation.spill_dir` are placed under
// DATA (environment overrides SLUICE_STAGE_<NAME>_OPTIONS_STORE, ..._STATE_STORE,
// ..._DEGRADATION_SPILL_DIR), so `sluice up`, its children and the
// commands an operator runs beside it (`sluice validate --data-dir DATA`) all
// resolve the same object store.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sluice::cli {

using EnvVars = std::vector<std::pair<std::string, std::string>>;

// The overrides for the pipeline file's stages (absolute paths and URLs stay as written).
EnvVars store_overrides(const std::string& pipeline_file, const std::string& data_dir);
// Sets them in this process's environment, before it loads the pipeline file.
void apply(const EnvVars& vars);

}  // namespace sluice::cli
