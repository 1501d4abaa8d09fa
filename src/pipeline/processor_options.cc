#include "pipeline/processor_options.h"

#include <filesystem>
#include <vector>

#include "pipeline/config_text.h"
#include "pipeline/processor.h"

namespace sluice::pipeline {

void reject_unknown_options(const ProcessorContext& context, const std::set<std::string>& known) {
  const std::string who = "stage '" + context.stage + "' (processor " + context.processor + ")";
  if (!context.options || context.options.IsNull()) return;
  if (!context.options.IsMap()) {
    throw OptionError("", who + ": `options:` must be a mapping of option names to values");
  }
  for (const auto& kv : context.options) {
    const std::string key = kv.first.Scalar();
    if (known.count(key)) continue;
    std::string hint;
    if (auto guess = closest_match(key, std::vector<std::string>(known.begin(), known.end()))) {
      hint = "did you mean '" + *guess + "'?";
    } else if (known.empty()) {
      hint = "this processor takes no options";
    } else {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      hint = "known options: " + list;
    }
    throw OptionError(key, who + ": unknown option '" + key + "'", hint);
  }
}

std::string resolve_option_path(const ProcessorContext& context, const std::string& path_or_url) {
  if (path_or_url.find("://") != std::string::npos) return path_or_url;
  std::filesystem::path p(path_or_url);
  if (p.empty() || p.is_absolute() || context.base_dir.empty()) return path_or_url;
  return (context.base_dir / p).lexically_normal().string();
}

}  // namespace sluice::pipeline
