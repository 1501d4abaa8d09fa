#include "source_tree.h"

namespace sluice::testing {

std::filesystem::path source_path(const std::string& relative) {
  return std::filesystem::path(SLUICE_SOURCE_DIR) / relative;
}

}  // namespace sluice::testing
