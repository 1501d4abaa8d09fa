// One input partition's sequence-check state — every key's high mark, last
// tick time and halt, and the dedupe window — and its checkpoint encoding
// (docs/formats/state-checkpoint.md#sequence-check-state).
//
// Invariant: the state is a function of the partition's records processed so
// far, so restoring a checkpoint and replaying the records after its offset
// rebuilds exactly the state of a run without the crash. decode(encode(s))
// holds the same keys and dedupe entries, and decode refuses bytes written for
// another key definition or that encode could not have written.
#pragma once

#include <map>
#include <stdexcept>
#include <string>

#include "pipeline/processor.h"
#include "stages/sequence_check/dedupe_window.h"
#include "stages/sequence_check/sequence_options.h"
#include "stages/sequence_check/sequence_tracker.h"

namespace sluice::stages {

struct PartitionSequence {
  explicit PartitionSequence(const SequenceOptions& o)
      : dedupe(o.dedupe_window_ms, o.dedupe_max_entries) {}
  std::map<std::string, KeyState> keys;  // ordered, so equal states encode to equal bytes
  DedupeWindow dedupe;
};

class SequenceStateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The head holds the keys and the newest dedupe entries; older entries are in
// sealed blocks of consecutive entry numbers, whose bytes are made from
// `state`'s window when asked for: only until `state` sees another tick.
pipeline::ProcessorState encode_sequence_state(const PartitionSequence& state,
                                               const SequenceOptions& options);
// Throws SequenceStateError saying what is wrong and what to do.
PartitionSequence decode_sequence_state(const pipeline::ProcessorState& state,
                                        const SequenceOptions& options);

}  // namespace sluice::stages
