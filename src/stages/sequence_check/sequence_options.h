// The options of `sequence-check` (docs/processors.md#sequence-check), read
// once at construction. Defaults are seed 003's: key exchange+symbol, gap
// threshold 10, halt over 100, reset below half the high mark after 1 h of
// silence, dedupe on message_id over 24 h.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "pipeline/processor.h"
#include "stages/sequence_check/sequence_tracker.h"

namespace sluice::stages {

struct SequenceOptions {
  std::vector<std::string> key_fields{"exchange", "symbol"};  // joined by '.' into the key
  std::string sequence_field = "exchange_sequence_number";
  std::string time_field = "exchange_timestamp";  // ISO-8601 text, or a number in time_unit
  int64_t time_unit_ms_divisor = 1000;            // numbers are microseconds (timestamp-micros)
  std::string message_id_field = "message_id";    // "": no dedupe
  SequenceThresholds thresholds;
  int64_t dedupe_window_ms = 24 * 3600 * 1000LL;
  size_t dedupe_max_entries = 200000;  // per input partition
  std::string parked_topic;            // "": <input topic>.parked
  std::string status_topic;            // "": <input topic>.symbols
  // The price-move check (price_move.h): a tick more than this fraction away
  // from its key's reference price is a price_jump. 0: off (price not read).
  double max_price_move = 0;
  std::string price_field = "price";  // a JSON number > 0 when the check is on

  // Changes that make an old checkpoint mean something else: the key.
  std::string fingerprint() const;
};

// Throws pipeline::OptionError naming the option and what to write instead.
SequenceOptions read_sequence_options(const pipeline::ProcessorContext& context);

inline const std::set<std::string> kSequenceCheckOptionNames = {
    "key_fields",         "sequence_field", "time_field",   "time_unit",      "message_id_field",
    "gap_threshold",      "halt_gap",       "reset_ratio",  "reset_after",    "dedupe_window",
    "dedupe_max_entries", "parked_topic",   "status_topic", "max_price_move", "price_field"};

}  // namespace sluice::stages
