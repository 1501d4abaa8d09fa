#include "cli/up/restart_policy.h"

#include <cstdlib>

namespace sluice::cli {

int64_t stage_restart_delay_ms(int64_t lived_ms) {
  return lived_ms < kCrashLoopWindowMs ? kCrashLoopPauseMs : 0;
}

int port_in_ready_line(const std::string& line, const std::string& marker) {
  auto at = line.find(marker);
  if (at == std::string::npos) return 0;
  auto end = line.find_first_of(" )\n", at + marker.size());
  auto colon = line.rfind(':', end == std::string::npos ? line.size() : end);
  if (colon == std::string::npos || colon < at) return 0;
  return std::atoi(line.c_str() + colon + 1);
}

bool source_sent_all(int64_t count, int64_t events_before, int64_t events_now) {
  return count > 0 && events_now - events_before >= count;
}

}  // namespace sluice::cli
