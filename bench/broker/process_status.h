// What the broker holds, read from /proc/PID: resident memory, threads and open
// descriptors. The idle-connection phase compares them before and after.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace sluice::bench {

struct ProcessStatus {
  int64_t rss_kib = 0;       // VmRSS
  int64_t peak_rss_kib = 0;  // VmHWM
  int64_t threads = 0;       // Threads
  int64_t open_fds = 0;      // entries of /proc/PID/fd
  double rss_mib() const { return static_cast<double>(rss_kib) / 1024.0; }
};

// Zeros when the process is gone or /proc cannot be read.
ProcessStatus read_process_status(pid_t pid);

}  // namespace sluice::bench
