// The bytes of one partition's processor-state checkpoint: the state and the
// input offset it is valid at. Format: docs/formats/state-checkpoint.md.
//
// Invariant: decode(encode(c)) == c, and decode refuses (throws
// CheckpointError) anything encode could not have produced — truncation, a
// flipped bit, trailing bytes — so a damaged checkpoint is never restored.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sluice::pipeline {

struct StateCheckpoint {
  int64_t next_offset = 0;  // the first input offset not reflected in `state`
  std::string state;        // the processor's own encoding

  bool operator==(const StateCheckpoint&) const = default;
};

class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr size_t kMaxCheckpointState = size_t(256) << 20;

std::string encode_checkpoint(const StateCheckpoint& checkpoint);
StateCheckpoint decode_checkpoint(std::string_view bytes);

}  // namespace sluice::pipeline
