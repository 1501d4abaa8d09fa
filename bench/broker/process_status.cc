#include "process_status.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace sluice::bench {

ProcessStatus read_process_status(pid_t pid) {
  ProcessStatus s;
  const std::filesystem::path proc = "/proc/" + std::to_string(pid);
  std::ifstream status(proc / "status");
  for (std::string line; std::getline(status, line);) {
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    if (key == "VmRSS:") fields >> s.rss_kib;
    if (key == "VmHWM:") fields >> s.peak_rss_kib;
    if (key == "Threads:") fields >> s.threads;
  }
  std::error_code ec;
  for (std::filesystem::directory_iterator it(proc / "fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++s.open_fds;
  }
  return s;
}

}  // namespace sluice::bench
