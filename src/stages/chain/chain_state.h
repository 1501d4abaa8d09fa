// The checkpointed state of a `chain` stage: the states of its stateful steps,
// framed together so one checkpoint (pipeline/state) holds them all at one
// input offset. Format: docs/formats/state-checkpoint.md ("Chain state").
//
// Invariant: decode(encode(x)) == x, and decode() refuses a frame written by a
// different chain (another step order or processor) rather than handing a
// step state that another processor wrote.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sluice::stages {

// One stateful step's part: its position in the chain, its processor's name
// and its state (nullopt: the step had none yet).
struct ChainStepState {
  int step = 0;
  std::string processor;
  std::optional<std::string> state;
};

std::string encode_chain_state(const std::vector<ChainStepState>& steps);

// The parts of `frame`, checked against `expected` (step and processor of each
// stateful step, states ignored). Throws std::runtime_error naming the
// difference for a frame that is truncated or written by another chain.
std::vector<ChainStepState> decode_chain_state(const std::string& frame,
                                               const std::vector<ChainStepState>& expected);

}  // namespace sluice::stages
