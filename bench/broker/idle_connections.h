// Many idle TCP connections held open against the broker (issue 16: 10,000 of
// them must cost little memory and no threads). Plain connections that never
// send a byte, as idle or abandoned clients leave them; the broker's
// connections.max.idle.ms (10 minutes by default) outlasts the phase.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::bench {

// Raises this process's soft RLIMIT_NOFILE towards `needed` (at most the hard
// limit); returns the soft limit in force afterwards.
int64_t raise_open_files_limit(int64_t needed);

class IdleConnections {
 public:
  // Connects `count` sockets to 127.0.0.1:port, stopping at the first failure
  // (kept in problem()). Blocking connects: each returns once the kernel has
  // queued it, whether or not the broker has accepted it yet.
  IdleConnections(int port, int64_t count);
  ~IdleConnections();
  IdleConnections(const IdleConnections&) = delete;
  IdleConnections& operator=(const IdleConnections&) = delete;

  int64_t open() const { return static_cast<int64_t>(fds_.size()); }
  const std::string& problem() const { return problem_; }

 private:
  std::vector<int> fds_;
  std::string problem_;
};

}  // namespace sluice::bench
