// How `sluice symbols halt|resume` reaches a sequence-check stage, and the
// header names the stage writes (docs/processors.md#sequence-check).
//
// A command is a record in the stage's own input topic, one copy in every
// partition, keyed by the symbol key ("ASX.BHP") and marked by the header
// sluice.sequence.command = halt | resume. Why in-band: each partition's
// owner applies the command at one exact input offset, to state checkpointed
// with that offset — so a halt holds across processes, kill -9, restarts and
// rebalances with no second channel that could disagree with the data, and
// whatever partition the tick producer's partitioner chose for the key, its
// owner sees the command. Every owner writes the key's new state to the status
// topic (<input>.symbols, compacted, keyed by symbol), which
// `sluice symbols status` reads.
#pragma once

#include <cstdint>
#include <string>

#include "pipeline/record.h"

namespace sluice::stages::symbol_control {

inline constexpr const char* kCommand = "sluice.sequence.command";    // halt | resume
inline constexpr const char* kClassification = "sluice.sequence";     // ok, small_gap, ...
inline constexpr const char* kSeverity = "sluice.sequence.severity";  // WARNING | ERROR
inline constexpr const char* kPrevious = "sluice.sequence.previous";  // the high mark before
inline constexpr const char* kGap = "sluice.sequence.gap";            // missing numbers
inline constexpr const char* kHalted = "sluice.sequence.halted";      // why the key halted
// A price_jump's move, e.g. "+15.0% from 23.45 (over 10%)" (price_move.h).
inline constexpr const char* kPriceMove = "sluice.sequence.price_move";

inline std::string parked_topic_for(const std::string& input) {
  return input + ".parked";
}
inline std::string status_topic_for(const std::string& input) {
  return input + ".symbols";
}

// The command record for one partition of `input`; `reason` says who and why.
pipeline::OutputRecord command_record(const std::string& input, int32_t partition,
                                      const std::string& key, const std::string& command,
                                      const std::string& reason);

// One key's state as written to the status topic (a JSON object).
struct SymbolStatus {
  std::string key;
  bool halted = false;
  std::string reason;
  int64_t last_sequence = 0;
  int64_t parked = 0;
  std::string stage;
  int32_t partition = 0;  // the input partition whose owner wrote it
};
std::string status_json(const SymbolStatus& s);
// Throws std::invalid_argument when `json` is not a status record.
SymbolStatus parse_status_json(const std::string& json);

}  // namespace sluice::stages::symbol_control
