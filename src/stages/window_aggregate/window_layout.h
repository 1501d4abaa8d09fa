// Where windows and panes fall on the event-time axis.
//
// Windows are aligned to the epoch: a window starts at every multiple of
// `slide` and lasts `size` (tumbling: slide == size), covering [start, end).
// Panes are the pieces every window is cut into: consecutive, disjoint spans
// of `pane` = gcd(size, slide), so each record falls in exactly one pane and
// each window is the union of size/pane consecutive panes. A record is folded
// into its one pane; windows are assembled from panes when emitted — never by
// copying a record into each of its size/slide windows.
//
//   event time ──────────────────────────────────────────────────────────▶
//   panes      |p0 |p1 |p2 |p3 |p4 |p5 |          size = 3 panes, slide = 1 pane
//   window A   [p0  p1  p2 )
//   window B       [p1  p2  p3 )
//   window C           [p2  p3  p4 )
//
// All arithmetic floors toward the past, also before 1970.
#pragma once

#include <cstdint>
#include <limits>
#include <numeric>

namespace sluice::stages {

// No event time yet (a watermark below every instant).
inline constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();

struct WindowLayout {
  int64_t size = 0;   // ms, > 0
  int64_t slide = 0;  // ms, > 0 and <= size
  int64_t pane = 0;   // gcd(size, slide)

  static WindowLayout of(int64_t size, int64_t slide) {
    return {size, slide, std::gcd(size, slide)};
  }

  static int64_t floor_to(int64_t t, int64_t unit) {
    const int64_t q = t / unit;
    return (t % unit != 0 && t < 0 ? q - 1 : q) * unit;
  }
  static int64_t ceil_to(int64_t t, int64_t unit) {
    const int64_t f = floor_to(t, unit);
    return f == t ? f : f + unit;
  }

  int64_t pane_of(int64_t t) const { return floor_to(t, pane); }
  // The start of the last window containing time (or pane start) t; it ends last.
  int64_t last_window_start(int64_t t) const { return floor_to(t, slide); }
  // The end of the last window containing t: once a watermark reaches it, every
  // window t belongs to is closed.
  int64_t last_window_end(int64_t t) const { return last_window_start(t) + size; }
  // The start of the first window containing the pane starting at p.
  int64_t first_window_start_of_pane(int64_t p) const { return ceil_to(p + pane - size, slide); }
};

}  // namespace sluice::stages
