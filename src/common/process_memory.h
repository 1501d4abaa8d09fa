// The process's resident memory (RSS), as the kernel counts it: what a memory
// budget is measured against, and what the OOM killer looks at.
#pragma once

#include <cstdint>

namespace sluice {

// Bytes resident now; 0 when the kernel does not say (no /proc).
int64_t resident_bytes();

}  // namespace sluice
