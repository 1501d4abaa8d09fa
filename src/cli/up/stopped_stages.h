// The channel between `sluice stop|start STAGE --data-dir DATA` and the
// `sluice up` supervising DATA: the file DATA/control/stopped-stages.json, a
// JSON array of stage names, e.g. ["download"].
//
//   - `sluice stop STAGE` adds the name, `sluice start STAGE` removes it. Both
//     read, change and replace the file (replace_file.h: write + rename) while
//     holding an flock on DATA/control/stopped-stages.lock, so two commands
//     at once cannot lose each other's change.
//   - The supervisor reads the file once a second (a reader needs no lock: the
//     rename makes every version whole). A listed stage's processes get SIGTERM
//     (SIGKILL after kStopGraceMs) and are not restarted; once the name is gone
//     they are started again. `sluice ps` shows them as "stopped".
//   - The file outlives `sluice up`: a stage stopped when `sluice up` exits
//     stays stopped in the next `sluice up` on the same DATA, until started.
//     A missing or unreadable file means no stage is stopped.
#pragma once

#include <cstdint>
#include <set>
#include <string>

namespace sluice::cli {

inline constexpr int64_t kStopGraceMs = 45000;

std::set<std::string> read_stopped_stages(const std::string& data_dir);
// Returns whether the file changed (false: the stage was already in that state).
bool set_stage_stopped(const std::string& data_dir, const std::string& stage, bool stopped);

}  // namespace sluice::cli
