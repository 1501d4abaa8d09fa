// mkdtemp gives a fresh, unguessable directory even when runs overlap.
#include "scratch_dir.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

namespace sluice::bench {

ScratchDir::ScratchDir(const std::filesystem::path& parent, bool keep) : keep_(keep) {
  std::filesystem::create_directories(parent);
  std::string tmpl = (parent / "sluice-bench-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + tmpl);
  }
  path_ = tmpl;
}

ScratchDir::~ScratchDir() {
  if (keep_) {
    fmt::print("scratch directory kept: {}\n", path_.string());
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
  if (ec) fmt::print(stderr, "warning: could not remove {}: {}\n", path_.string(), ec.message());
}

}  // namespace sluice::bench
