// The windowing core of `window-aggregate`, free of JSON and Kafka: events in,
// window rows out, per input partition. docs/windows.md explains the model.
//
// Two watermarks, on purpose:
//  - a partition's own watermark (its highest event time minus the allowed
//    lateness) SEALS its windows: a window ending at or before it is final, and
//    a record belonging only to sealed windows is late. It depends only on the
//    partition's records, so replaying them after a crash seals the same
//    windows with the same contents — no record is counted twice or both
//    counted and routed late;
//  - the combined watermark (the minimum of the own watermarks of the assigned
//    partitions that are not idle) RELEASES sealed rows (append mode): a window
//    is emitted once every active partition has passed its end, as in Spark
//    and Flink. A partition without records for idle_timeout (wall clock) no
//    longer holds the others back; if every partition is idle, the most
//    advanced one sets the combined watermark. An idle partition that the
//    combined watermark overtook seals its windows up to it (its later records
//    for them are late) — the one case where wall-clock timing, not the records
//    alone, decides what is late.
//
// Panes (window_layout.h): a record is folded into one pane; a window's row is
// assembled from its panes when it is sealed (append) or changed (update).
//
// Threads: every method may be called from any thread; one mutex guards all
// partitions (the combined watermark reads them all).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "stages/window_aggregate/aggregate.h"
#include "stages/window_aggregate/window_options.h"
#include "stages/window_aggregate/window_state.h"

namespace sluice::stages {

using PartitionId = std::pair<std::string, int32_t>;

// What one record contributes, already read from its JSON.
struct WindowEvent {
  struct Input {
    bool present = false;  // the field has a usable value (a number, for numeric aggregates)
    double x = 0;          // its number
    std::string raw;       // its JSON text (first/last)
    bool matched = false;  // count_if: the condition held
  };
  int64_t time = 0;
  GroupKey group;
  std::vector<Input> inputs;  // one per aggregate, in configuration order
};

struct Admission {
  // Late: every window of the record is sealed; it was not counted.
  bool late = false;
  int64_t missed_start = 0, missed_end = 0;  // late: the last window it belonged to
  int64_t sealed_through = kNoTime;          // late: the partition's sealing watermark
  std::vector<WindowRow> rows;               // rows to emit now, in order
};

class WindowEngine {
 public:
  using WallClock = std::function<int64_t()>;  // ms; for idleness only

  WindowEngine(const WindowOptions& options, WallClock clock);

  Admission add(const PartitionId& partition, const WindowEvent& event);
  // Rows an idle stretch released (the combined watermark moved without a
  // record of this partition). Append mode only; empty otherwise.
  std::vector<WindowRow> tick(const PartitionId& partition);

  void restore(const PartitionId& partition, PartitionWindows state);
  std::string snapshot(const PartitionId& partition);
  void release(const PartitionId& partition);

  int64_t combined_watermark();
  // The combined watermark the last add() or tick() worked with (kNoTime: none
  // yet), without recomputing it: for the watermark gauge.
  int64_t last_watermark() const { return last_watermark_.load(std::memory_order_relaxed); }
  // For tests and metrics: the partition's state (a copy).
  PartitionWindows state(const PartitionId& partition);

 private:
  struct Partition {
    PartitionWindows windows;
    int64_t last_active_ms = 0;  // wall clock of its last record (or assignment)
  };

  Partition& partition(const PartitionId& id);
  int64_t own_watermark(const Partition& p) const;
  int64_t combined_locked(int64_t now) const;
  // Seals every window ending at or before `to` (append: into pending).
  void seal(Partition& p, int64_t to);
  // Pending rows ending at or before `watermark`, removed from pending.
  std::vector<WindowRow> release_rows(Partition& p, int64_t watermark);
  // `group`'s (or, with nullptr, every group's) row of the window starting at s.
  void assemble(const Partition& p, int64_t s, const GroupKey* group,
                std::vector<WindowRow>& out) const;
  void advance(Partition& p, int64_t now, std::vector<WindowRow>& out);
  void merge_into(Accumulators& into, const Accumulators& from) const;

  const WindowOptions options_;
  const WindowLayout layout_;
  WallClock clock_;
  std::mutex mu_;
  std::map<PartitionId, Partition> partitions_;
  std::atomic<int64_t> last_watermark_{kNoTime};
};

}  // namespace sluice::stages
