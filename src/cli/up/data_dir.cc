#include "cli/up/data_dir.h"

#include <stdlib.h>

#include <filesystem>

#include "pipeline/config_text.h"
#include "pipeline/pipeline_config.h"

namespace sluice::cli {

EnvVars store_overrides(const std::string& pipeline_file, const std::string& data_dir) {
  namespace fs = std::filesystem;
  EnvVars out;
  for (const auto& s : pipeline::load_pipeline_config(pipeline_file).stages) {
    const YAML::Node store = s.options["store"];
    if (!store || !store.IsScalar() || store.Scalar().find("://") != std::string::npos) continue;
    if (fs::path(store.Scalar()).is_absolute()) continue;
    out.emplace_back("SLUICE_STAGE_" + pipeline::env_name_part(s.name) + "_OPTIONS_STORE",
                     (fs::absolute(data_dir) / store.Scalar()).string());
  }
  return out;
}

void apply(const EnvVars& vars) {
  for (const auto& [k, v] : vars) ::setenv(k.c_str(), v.c_str(), 1);
}

}  // namespace sluice::cli
