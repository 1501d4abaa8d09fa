// Files of the source tree that tests read (shipped schemas, examples, docs).
// The root comes from CMake as an absolute path, not from __FILE__, which a
// compiler launcher such as ccache may rewrite to a relative one. It is
// compiled into source_tree.cc alone, so that moving the tree (CI clones into
// a new folder each run) recompiles one file, not every test.
#pragma once

#include <filesystem>
#include <string>

namespace sluice::testing {

std::filesystem::path source_path(const std::string& relative);

}  // namespace sluice::testing
