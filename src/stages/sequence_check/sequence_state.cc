#include "stages/sequence_check/sequence_state.h"

#include <bit>

#include "common/bytes.h"

namespace sluice::stages {
namespace {

// Version 2 added each key's reference and candidate prices (price_move.h);
// version 1 bytes still decode, with no prices yet.
constexpr uint8_t kVersion = 2;

void text(ByteWriter& w, const std::string& s) {
  w.u32(uint32_t(s.size()));
  w.raw(std::string_view(s));
}

std::string text(ByteReader& r) {
  const uint32_t n = r.u32();
  return std::string(r.view(n, "sequence state text"));
}

PartitionSequence decode_checked(const std::string& bytes, const SequenceOptions& options) {
  ByteReader p({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  const uint8_t version = bytes.empty() ? 0 : uint8_t(p.i8());
  if (version < 1 || version > kVersion)
    throw SequenceStateError("sequence state: unknown version " + std::to_string(version) +
                             " (written by a newer sluice? run that version, or delete the "
                             "checkpoint to start every key afresh)");
  const std::string written_for = text(p);
  if (written_for != options.fingerprint()) {
    throw SequenceStateError(
        "sequence state was written for key fields " + written_for + ", not " +
        options.fingerprint() +
        "; restore the stage's previous key_fields, or delete the checkpoint to start every "
        "key's sequence afresh");
  }
  PartitionSequence state(options);
  for (uint32_t n = p.u32(); n > 0; --n) {
    std::string key = text(p);
    KeyState k;
    const int8_t flags = p.i8();
    if (flags & ~3) throw SequenceStateError("sequence state: unknown key flags");
    k.seen = flags & 1;
    k.halted = flags & 2;
    k.last = p.i64();
    k.last_time_ms = p.i64();
    k.parked = p.i64();
    k.halt_reason = text(p);
    if (version >= 2) {
      k.reference_price = std::bit_cast<double>(p.i64());
      k.candidate_price = std::bit_cast<double>(p.i64());
    }
    state.keys.emplace(std::move(key), std::move(k));
  }
  const int64_t newest = p.i64();
  std::deque<DedupeWindow::Entry> entries;
  for (uint32_t n = p.u32(); n > 0; --n) {
    const int64_t t = p.i64();
    entries.push_back({t, uint64_t(p.i64())});
  }
  if (!p.empty()) throw SequenceStateError("sequence state: bytes after the dedupe window");
  state.dedupe.restore(std::move(entries), newest);
  return state;
}

}  // namespace

std::string encode_sequence_state(const PartitionSequence& state, const SequenceOptions& options) {
  Bytes out;
  ByteWriter w(out);
  w.i8(int8_t(kVersion));
  text(w, options.fingerprint());
  w.u32(uint32_t(state.keys.size()));
  for (const auto& [key, k] : state.keys) {
    text(w, key);
    w.i8(int8_t((k.seen ? 1 : 0) | (k.halted ? 2 : 0)));
    w.i64(k.last);
    w.i64(k.last_time_ms);
    w.i64(k.parked);
    text(w, k.halt_reason);
    w.i64(std::bit_cast<int64_t>(k.reference_price));
    w.i64(std::bit_cast<int64_t>(k.candidate_price));
  }
  w.i64(state.dedupe.newest_ms());
  w.u32(uint32_t(state.dedupe.entries().size()));
  for (const auto& e : state.dedupe.entries()) {
    w.i64(e.time_ms);
    w.i64(int64_t(e.hash));
  }
  return std::string(out.begin(), out.end());
}

PartitionSequence decode_sequence_state(const std::string& bytes, const SequenceOptions& options) {
  try {
    return decode_checked(bytes, options);
  } catch (const DecodeError& e) {
    throw SequenceStateError(std::string("sequence state: ") + e.what() +
                             " (damaged; delete the checkpoint to start every key afresh)");
  }
}

}  // namespace sluice::stages
