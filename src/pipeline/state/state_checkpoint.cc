#include "pipeline/state/state_checkpoint.h"

#include "common/bytes.h"
#include "common/crc32c.h"

namespace sluice::pipeline {
namespace {

constexpr std::string_view kMagic = "SLST";
constexpr uint8_t kVersion = 1;
constexpr size_t kHeader = 4 + 1 + 8 + 4;
constexpr size_t kTrailer = 4;

const uint8_t* bytes_of(std::string_view s) {
  return reinterpret_cast<const uint8_t*>(s.data());
}

}  // namespace

std::string encode_checkpoint(const StateCheckpoint& c) {
  if (c.state.size() > kMaxCheckpointState) {
    throw CheckpointError("processor state of " + std::to_string(c.state.size()) +
                          " bytes is over the checkpoint limit of 256 MiB");
  }
  std::string out(kHeader + c.state.size() + kTrailer, '\0');
  auto* p = reinterpret_cast<uint8_t*>(out.data());
  out.replace(0, 4, kMagic);
  p[4] = kVersion;
  store_be64(p + 5, uint64_t(c.next_offset));
  store_be32(p + 13, uint32_t(c.state.size()));
  out.replace(kHeader, c.state.size(), c.state);
  store_be32(p + kHeader + c.state.size(), crc32c(p, kHeader + c.state.size()));
  return out;
}

StateCheckpoint decode_checkpoint(std::string_view bytes) {
  if (bytes.size() < kHeader + kTrailer) {
    throw CheckpointError("checkpoint of " + std::to_string(bytes.size()) +
                          " bytes is shorter than its header");
  }
  const uint8_t* p = bytes_of(bytes);
  if (bytes.substr(0, 4) != kMagic) throw CheckpointError("not a state checkpoint (bad magic)");
  if (p[4] != kVersion) {
    throw CheckpointError("checkpoint version " + std::to_string(p[4]) +
                          " is not supported (this sluice reads version 1)");
  }
  const size_t length = load_be32(p + 13);
  if (length > kMaxCheckpointState || kHeader + length + kTrailer != bytes.size()) {
    throw CheckpointError("checkpoint length " + std::to_string(length) + " does not match its " +
                          std::to_string(bytes.size()) + " bytes (truncated or padded)");
  }
  if (crc32c(p, kHeader + length) != load_be32(p + kHeader + length)) {
    throw CheckpointError("checkpoint CRC mismatch (the object is damaged)");
  }
  StateCheckpoint c;
  c.next_offset = int64_t(load_be64(p + 5));
  if (c.next_offset < 0) throw CheckpointError("checkpoint offset is negative");
  c.state.assign(bytes.substr(kHeader, length));
  return c;
}

}  // namespace sluice::pipeline
