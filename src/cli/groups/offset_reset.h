// `sluice groups reset-offsets`: moving a stopped group's committed offsets on one
// topic (runbook: replay from a datetime). A dry run unless --execute, and refused
// while the group has members, exactly as kafka-consumer-groups.sh behaves: a live
// member would overwrite the new offsets with its own next commit.
#pragma once

#include <optional>
#include <string>

#include "kafka/admin_client.h"

namespace sluice::cli {

struct ResetFlags {
  std::string group;
  std::string topic;
  bool to_earliest = false;
  bool to_latest = false;
  std::string to_datetime;          // empty: not chosen
  std::optional<int64_t> shift_by;  // negative replays
  bool execute = false;
};

// Prints TOPIC PARTITION CURRENT-OFFSET NEW-OFFSET; commits only with --execute.
// Returns the exit code (1 when refused).
int reset_offsets(kafka::AdminClient& admin, const ResetFlags& flags);

}  // namespace sluice::cli
