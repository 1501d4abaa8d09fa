// libFuzzer target: pipeline YAML text through parse_pipeline_config(), the
// loader behind `sluice run`, `sluice up` and `sluice validate`.
//
// Expected outcome for bad input: ConfigError (the header's invariant: every
// configuration problem is a ConfigError naming file, line and key). Any other
// exception escapes this function, and libFuzzer reports it as a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pipeline/pipeline_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::pipeline;
  static const Environment no_env;  // environment overrides off: the input alone decides
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    PipelineConfig c = parse_pipeline_config(text, "fuzz.yaml", &no_env);
    for (const auto& s : c.stages) {
      if (c.stage(s.name) == nullptr) __builtin_trap();  // every parsed stage is findable
    }
  } catch (const ConfigError&) {
  }
  return 0;
}
