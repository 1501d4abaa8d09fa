#include "pipeline/state/state_checkpoint.h"

#include "common/bytes.h"
#include "common/crc32c.h"

namespace sluice::pipeline {
namespace {

constexpr std::string_view kMagic = "SLST";
// Version 2 added the block list; version 1 objects (no blocks) still decode.
constexpr uint8_t kVersion = 2;
constexpr size_t kHeader = 4 + 1 + 8 + 4;
constexpr size_t kTrailer = 4;
constexpr size_t kMaxBlockName = 255;

const uint8_t* bytes_of(std::string_view s) {
  return reinterpret_cast<const uint8_t*>(s.data());
}

bool block_name_ok(const std::string& name) {
  if (name.empty() || name.size() > kMaxBlockName || name == "." || name == "..") return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::vector<BlockRef> decode_blocks(ByteReader& r) {
  std::vector<BlockRef> blocks;
  for (uint32_t n = r.u32(); n > 0; --n) {
    BlockRef b;
    b.name = std::string(r.view(uint16_t(r.i16()), "block name"));
    if (!block_name_ok(b.name)) throw CheckpointError("checkpoint names an invalid block");
    b.size = r.u32();
    b.crc = r.u32();
    blocks.push_back(std::move(b));
  }
  if (!r.empty()) throw CheckpointError("checkpoint has bytes after its block list");
  return blocks;
}

}  // namespace

BlockRef block_ref(const std::string& name, std::string_view bytes) {
  if (!block_name_ok(name)) {
    throw CheckpointError("state block name '" + name +
                          "' is not 1-255 characters of [A-Za-z0-9._-] (a processor bug)");
  }
  if (bytes.size() > kMaxCheckpointState) {
    throw CheckpointError("state block " + name + " of " + std::to_string(bytes.size()) +
                          " bytes is over the checkpoint limit of 256 MiB");
  }
  return {name, uint32_t(bytes.size()), crc32c(bytes.data(), bytes.size())};
}

void check_block(const BlockRef& ref, std::string_view bytes) {
  if (bytes.size() != ref.size || crc32c(bytes.data(), bytes.size()) != ref.crc) {
    throw CheckpointError("state block " + ref.name + " has " + std::to_string(bytes.size()) +
                          " bytes that are not the ones the checkpoint names (" +
                          std::to_string(ref.size) + " bytes and their CRC): damaged or replaced");
  }
}

std::string encode_checkpoint(const StateCheckpoint& c) {
  if (c.state.size() > kMaxCheckpointState) {
    throw CheckpointError("processor state of " + std::to_string(c.state.size()) +
                          " bytes is over the checkpoint limit of 256 MiB");
  }
  Bytes out;
  ByteWriter w(out);
  w.raw(kMagic.data(), kMagic.size());
  w.i8(int8_t(kVersion));
  w.i64(c.next_offset);
  w.u32(uint32_t(c.state.size()));
  w.raw(c.state.data(), c.state.size());
  w.u32(uint32_t(c.blocks.size()));
  for (const BlockRef& b : c.blocks) {
    w.i16(int16_t(b.name.size()));
    w.raw(b.name.data(), b.name.size());
    w.u32(b.size);
    w.u32(b.crc);
  }
  w.u32(crc32c(out.data(), out.size()));
  return std::string(out.begin(), out.end());
}

StateCheckpoint decode_checkpoint(std::string_view bytes) {
  if (bytes.size() < kHeader + kTrailer) {
    throw CheckpointError("checkpoint of " + std::to_string(bytes.size()) +
                          " bytes is shorter than its header");
  }
  const uint8_t* p = bytes_of(bytes);
  if (bytes.substr(0, 4) != kMagic) throw CheckpointError("not a state checkpoint (bad magic)");
  const uint8_t version = p[4];
  if (version < 1 || version > kVersion) {
    throw CheckpointError("checkpoint version " + std::to_string(version) +
                          " is not supported (this sluice reads versions 1 and 2)");
  }
  const size_t length = load_be32(p + 13);
  const size_t body = bytes.size() - kTrailer;
  if (length > kMaxCheckpointState || kHeader + length > body ||
      (version == 1 && kHeader + length != body)) {
    throw CheckpointError("checkpoint length " + std::to_string(length) + " does not match its " +
                          std::to_string(bytes.size()) + " bytes (truncated or padded)");
  }
  if (crc32c(p, body) != load_be32(p + body)) {
    throw CheckpointError("checkpoint CRC mismatch (the object is damaged)");
  }
  StateCheckpoint c;
  c.next_offset = int64_t(load_be64(p + 5));
  if (c.next_offset < 0) throw CheckpointError("checkpoint offset is negative");
  c.state.assign(bytes.substr(kHeader, length));
  if (version >= 2) {
    ByteReader r({p + kHeader + length, body - kHeader - length});
    try {
      c.blocks = decode_blocks(r);
    } catch (const DecodeError& e) {
      throw CheckpointError(std::string("checkpoint block list: ") + e.what());
    }
  }
  return c;
}

}  // namespace sluice::pipeline
