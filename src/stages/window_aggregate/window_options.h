// The `window-aggregate` processor's options, read and checked once at start.
// Every problem is an OptionError naming the option, so the registry reports
// it at the option's FILE:LINE; unknown keys are refused by the registry from
// kWindowAggregateOptionNames.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "pipeline/processor.h"
#include "stages/window_aggregate/aggregate.h"
#include "stages/window_aggregate/window_layout.h"

namespace sluice::stages {

inline const std::set<std::string> kWindowAggregateOptionNames = {
    "time_field", "size",       "slide", "allowed_lateness", "idle_timeout",
    "group_by",   "aggregates", "mode",  "late_topic",       "id_field"};

enum class EmitMode {
  kAppend,  // a window is emitted once, when the watermark passes its end
  kUpdate,  // a window is emitted again each time a record changes it
};

struct WindowOptions {
  std::string time_field;  // top-level JSON field holding the event time
  WindowLayout layout;
  int64_t allowed_lateness_ms = 0;
  int64_t idle_timeout_ms = 60'000;
  std::vector<std::string> group_by;  // top-level JSON fields
  std::vector<AggregateSpec> aggregates;
  EmitMode mode = EmitMode::kAppend;
  std::string output;      // the stage's first output topic
  std::string late_topic;  // empty: <input topic>.late
  // Empty, or the field of each row holding its window id: "<window_start> <key>"
  // (key: the group values as a JSON array), the same for every copy of a row, so a
  // table sink's unique_key keeps one row per window and group across restarts.
  std::string id_field;

  // What the checkpointed state's meaning depends on (layout, groups,
  // aggregates): a checkpoint written under another fingerprint is refused
  // instead of being misread.
  std::string fingerprint() const;
};

WindowOptions read_window_options(const pipeline::ProcessorContext& context);

}  // namespace sluice::stages
