// Replacing a small file that other processes read while it changes (the
// process table, the Prometheus targets file, the stopped-stages list): the
// text goes to PATH.tmp, then rename(2) puts it in place, so a reader sees the
// old file or the new one, never half of either. Not fsync'ed: these files
// are rewritten from live state, and a crash only loses the last rewrite.
#pragma once

#include <string>

namespace sluice::cli {

// Creates PATH's directory if needed. Throws std::runtime_error naming the path on failure.
void replace_file(const std::string& path, const std::string& text);

}  // namespace sluice::cli
