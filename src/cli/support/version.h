// What `sluice --version` prints: the CMake project version and, when the
// source was a git checkout at configure time, `git describe` of it. Fixed at
// configure time (re-run cmake to refresh the git part after new commits).
#pragma once

namespace sluice::cli {

const char* version_text();

}  // namespace sluice::cli
