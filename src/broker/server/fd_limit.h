// The process's open-file limit. Every connection and every open segment holds a
// descriptor, so the broker raises its soft limit to the hard one at start (as
// Kafka's packaging does with LimitNOFILE) and says what it got.
#pragma once

#include <cstdint>

namespace sluice::broker {

// Raises RLIMIT_NOFILE's soft limit to its hard limit and logs the result.
// Returns the soft limit in force afterwards. Never throws.
uint64_t raise_fd_limit();

}  // namespace sluice::broker
