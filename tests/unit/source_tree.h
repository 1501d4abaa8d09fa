// Files of the source tree that tests read (shipped schemas, examples, docs).
// The root comes from CMake as an absolute path, not from __FILE__, which a
// compiler launcher such as ccache may rewrite to a relative one.
#pragma once

#include <filesystem>
#include <string>

namespace sluice::testing {

inline std::filesystem::path source_path(const std::string& relative) {
  return std::filesystem::path(SLUICE_SOURCE_DIR) / relative;
}

}  // namespace sluice::testing
