// Process-wide counts of the partition logs' group commit, for metrics: how
// many commits had to wait for a sync, and how many fdatasyncs served them.
// commits / syncs is how many produce requests one sync served on average.
// The counters only grow.
#pragma once

#include <cstdint>

namespace sluice::broker {

void count_log_sync();    // a sync sequencer ran an fdatasync (commit or flush)
void count_log_commit();  // a commit found its batches not yet synced and waited
uint64_t log_syncs();
uint64_t log_commits();

}  // namespace sluice::broker
