// The decisions `sluice up`'s supervisor takes about its children, as plain
// functions of the figures it sees, so they can be checked without processes:
//
//   - a stage process that dies is restarted; if it lived less than
//     kCrashLoopWindowMs it is crash-looping, and the restart waits
//     kCrashLoopPauseMs so a stage that cannot start does not spin a core
//     (the broker is restarted at once: every stage waits on it);
//   - after a restart the supervisor reaches a child at the port its ready
//     line names;
//   - with --count N the source is done sending once the input topic holds N
//     more records than before it started (it keeps serving attachments).
#pragma once

#include <cstdint>
#include <string>

namespace sluice::cli {

inline constexpr int64_t kCrashLoopWindowMs = 5000;
inline constexpr int64_t kCrashLoopPauseMs = 2000;

// How long to wait before restarting a stage process that ran for `lived_ms`.
int64_t stage_restart_delay_ms(int64_t lived_ms);

// The port in a child's ready line: the digits after the last ':' that follows
// `marker` ("... listening on 127.0.0.1:9092 (...)", "... admin on
// http://127.0.0.1:41234"); 0 when the line has no such address.
int port_in_ready_line(const std::string& line, const std::string& marker);

// With --count `count` (> 0): whether the source has sent everything, given the
// input topic's record count before the source started and now.
bool source_sent_all(int64_t count, int64_t events_before, int64_t events_now);

}  // namespace sluice::cli
