#include "cli/up/data_dir.h"

#include <stdlib.h>

#include <filesystem>

#include "pipeline/config_text.h"
#include "pipeline/pipeline_config.h"

namespace sluice::cli {

EnvVars store_overrides(const std::string& pipeline_file, const std::string& data_dir) {
  namespace fs = std::filesystem;
  EnvVars out;
  // A relative local path goes under the data dir; URLs and absolute paths stay.
  auto place = [&](const std::string& variable, const std::string& path) {
    if (path.empty() || path.find("://") != std::string::npos || fs::path(path).is_absolute())
      return;
    out.emplace_back(variable, (fs::absolute(data_dir) / path).string());
  };
  for (const auto& s : pipeline::load_pipeline_config(pipeline_file).stages) {
    const std::string prefix = "SLUICE_STAGE_" + pipeline::env_name_part(s.name);
    const YAML::Node store = s.options["store"];
    if (store && store.IsScalar()) place(prefix + "_OPTIONS_STORE", store.Scalar());
    place(prefix + "_STATE_STORE", s.state_store);
    place(prefix + "_DEGRADATION_SPILL_DIR", s.degradation.spill_dir);
  }
  return out;
}

void apply(const EnvVars& vars) {
  for (const auto& [k, v] : vars) ::setenv(k.c_str(), v.c_str(), 1);
}

}  // namespace sluice::cli
