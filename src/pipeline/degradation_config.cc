#include "pipeline/degradation_config.h"

#include <cctype>

namespace sluice::pipeline {

std::optional<DegradationLevel> parse_level(std::string_view name) {
  for (DegradationLevel level : kAllDegradationLevels) {
    std::string_view canonical = level_name(level);
    if (canonical.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i)
      same = std::toupper(static_cast<unsigned char>(name[i])) == canonical[i];
    if (same) return level;
  }
  return std::nullopt;
}

}  // namespace sluice::pipeline
