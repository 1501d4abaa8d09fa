// `sluice degradation status|set|auto`: what each stage process's GET
// /degradation (and the two POSTs) answer, read back and shown to people as a
// table, or as one JSON array with --json. docs/degradation.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::cli {

struct DegradationRow {
  std::string process;  // its name in the process table ("" for a bare --admin)
  std::string admin;
  std::string stage;
  std::string level;  // NORMAL ... CIRCUIT_BREAK
  std::string mode;   // auto | manual
  int64_t lag = 0;
  int64_t memory_bytes = 0;
  int64_t since_ms = 0;  // wall clock of the last change (0: never)
  int64_t parked = 0;
  std::string parked_topic;
};

// Appends the stages in one process's answer; ignores what is not a stage object.
void parse_degradation(const std::string& body, const std::string& process,
                       const std::string& admin, std::vector<DegradationRow>& out);

void print_degradation(const std::vector<DegradationRow>& rows, bool as_json);

}  // namespace sluice::cli
