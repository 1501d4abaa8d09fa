// The bytes of one partition's processor-state checkpoint: the state's head,
// the sealed blocks it refers to (each stored as its own object), and the input
// offset it is valid at. Format: docs/formats/state-checkpoint.md.
//
// Invariant: decode(encode(c)) == c, and decode refuses (throws
// CheckpointError) anything encode could not have produced — truncation, a
// flipped bit, trailing bytes — so a damaged checkpoint is never restored. A
// block's size and CRC are kept here, so a damaged or replaced block object is
// refused too (check_block).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::pipeline {

struct BlockRef {
  std::string name;
  uint32_t size = 0;
  uint32_t crc = 0;  // CRC-32C of the block's bytes

  bool operator==(const BlockRef&) const = default;
};

struct StateCheckpoint {
  int64_t next_offset = 0;  // the first input offset not reflected in `state`
  std::string state;        // the processor's own encoding (its head)
  std::vector<BlockRef> blocks;

  bool operator==(const StateCheckpoint&) const = default;
};

class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr size_t kMaxCheckpointState = size_t(256) << 20;

std::string encode_checkpoint(const StateCheckpoint& checkpoint);
StateCheckpoint decode_checkpoint(std::string_view bytes);

BlockRef block_ref(const std::string& name, std::string_view bytes);
// Throws CheckpointError when `bytes` are not the block `ref` names.
void check_block(const BlockRef& ref, std::string_view bytes);

}  // namespace sluice::pipeline
