// The benchmark's private directory: the disk baseline file and every broker data
// dir live under it, so they share one filesystem and the ratio compares like with
// like. Removed on destruction (unless kept for inspection).
#pragma once

#include <filesystem>

namespace sluice::bench {

class ScratchDir {
 public:
  // Creates PARENT/sluice-bench-XXXXXX; throws if that fails.
  ScratchDir(const std::filesystem::path& parent, bool keep);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  bool keep_;
};

}  // namespace sluice::bench
