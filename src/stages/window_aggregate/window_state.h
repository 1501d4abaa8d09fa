// One input partition's window state, and its checkpoint encoding
// (docs/formats/window-state.md).
//
// Invariant: the state is a function of the partition's records processed so
// far (and of the watermarks it was closed at), so restoring it from a
// checkpoint and replaying the records after the checkpoint's offset rebuilds
// exactly the state a run without the crash had. decode(encode(s)) == s, and
// decode refuses bytes written under other options (a fingerprint mismatch)
// or that encode could not have written.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "stages/window_aggregate/aggregate.h"
#include "stages/window_aggregate/window_layout.h"

namespace sluice::stages {

// The group-by values of a record, as JSON texts joined by '\n' (JSON text
// outside a string never holds a raw newline, and inside one it is escaped).
using GroupKey = std::string;
// One accumulator per configured aggregate, in configuration order.
using Accumulators = std::vector<Accumulator>;
using PaneGroups = std::unordered_map<GroupKey, Accumulators>;

// One window's aggregates for one group: an output row before formatting.
struct WindowRow {
  int64_t start = 0;
  int64_t end = 0;
  GroupKey group;
  Accumulators accumulators;

  bool operator==(const WindowRow&) const = default;
};

struct PartitionWindows {
  int64_t max_event_time = kNoTime;  // the highest event time seen on the partition
  // Windows ending at or before this are sealed: their rows are final (in
  // `pending` until the combined watermark releases them, in append mode) and
  // a record that only belongs to sealed windows is late. Only moves forward.
  int64_t sealed_through = kNoTime;
  std::map<int64_t, PaneGroups> panes;  // by pane start; only panes of unsealed windows
  std::vector<WindowRow> pending;       // sealed rows not yet emitted, by end then group

  bool operator==(const PartitionWindows&) const = default;
};

class WindowStateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string encode_windows(const PartitionWindows& state, const std::string& fingerprint,
                           size_t aggregates);
// Throws WindowStateError saying what is wrong and what to do.
PartitionWindows decode_windows(const std::string& bytes, const std::string& fingerprint,
                                size_t aggregates);

}  // namespace sluice::stages
