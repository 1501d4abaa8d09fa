// The table of processes `sluice up` supervises, written to DATA/processes.json
// once a second, so other commands find them without flags: `sluice ps` lists
// them with uptime, `sluice restart STAGE` signals them, and `sluice
// pause|resume|status --data-dir DATA` reach every process of a stage.
//
// The file is replaced atomically (write + rename); a reader never sees half of it.
// Fields are only ever added (readers ignore what they do not know and default
// what is missing), so a table written by an older `sluice up` still reads.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::cli {

struct ProcessEntry {
  std::string name;   // "broker", "download#2", "demo-source"
  std::string stage;  // empty for the broker and the source
  pid_t pid = -1;     // -1 while down
  std::string admin;  // HOST:PORT of its admin endpoint (stages), or listen address (broker)
  std::string
      metrics;  // HOST:PORT serving its /metrics (the broker's admin port too); may be empty
  bool stopped = false;    // held down by `sluice stop STAGE` (stopped_stages.h), not dead
  int64_t started_ms = 0;  // wall clock
  int restarts = 0;
  std::string group;  // a stage's consumer group: its lag is measured even while it is down
};

void write_process_table(const std::string& data_dir, const std::vector<ProcessEntry>& entries);
// Throws std::runtime_error naming the file and what to do when it is missing or unreadable.
std::vector<ProcessEntry> read_process_table(const std::string& data_dir);

}  // namespace sluice::cli
