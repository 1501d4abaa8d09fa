// Hands memory the process has freed back to the kernel now, instead of when the
// allocator's own timers get round to it.
//
// Why: a thread that builds something big and short-lived (a table sink's Parquet
// file, every flush) leaves its pages resident in the allocator's cache; jemalloc
// returns them only after dirty_decay_ms (10 s), so each such thread adds its
// largest burst to the process's RSS. Calling this after the burst trades a few
// page faults at the next one for that memory (docs/performance.md, "IoT windows
// against Apache Spark", measured 2026-12-08).
#pragma once

namespace sluice {

// jemalloc (when linked): purges every arena's unused dirty pages and the calling
// thread's cache; glibc: malloc_trim(0). Cheap to call a few times a second.
void release_free_memory();

}  // namespace sluice
