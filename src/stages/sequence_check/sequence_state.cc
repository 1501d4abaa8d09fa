#include "stages/sequence_check/sequence_state.h"

#include <algorithm>
#include <bit>
#include <deque>
#include <functional>

#include "common/bytes.h"

namespace sluice::stages {
namespace {

using BlockReader = std::map<std::string, std::function<std::string()>>;

// Version 2 added each key's reference and candidate prices (price_move.h);
// version 3 keeps the dedupe window in sealed blocks. Versions 1 and 2 still
// decode (1 with no prices yet).
constexpr uint8_t kVersion = 3;
constexpr uint8_t kBlockVersion = 1;
// 32 KiB of entries: a checkpoint rewrites at most this much of the window,
// and a day's window of 200,000 entries is about 100 blocks.
constexpr uint64_t kEntriesPerBlock = 2048;

std::string block_name(uint64_t block) {
  return "dedupe-" + std::to_string(block);
}

// The window's entries numbered [from, to), which it holds.
void put_entries(ByteWriter& w, const DedupeWindow& window, uint64_t from, uint64_t to) {
  const auto& entries = window.entries();
  const size_t first = size_t(from - window.first_index());
  w.u32(uint32_t(to - from));
  for (size_t i = first; i < first + size_t(to - from); ++i) {
    w.i64(entries[i].time_ms);
    w.i64(int64_t(entries[i].hash));
  }
}

// Appends the entries numbered `from` onwards of the `count` that follow,
// which start at entry number `start`.
void take_entries(ByteReader& r, uint64_t start, uint64_t from,
                  std::deque<DedupeWindow::Entry>& out) {
  for (uint32_t n = r.u32(); n > 0; --n, ++start) {
    const int64_t t = r.i64();
    const auto hash = uint64_t(r.i64());
    if (start >= from) out.push_back({t, hash});
  }
}

// The blocks of a window, in block order, and where its head's entries start.
struct BlockSpan {
  uint64_t first_block;
  uint64_t end_block;  // past the last sealed block holding a live entry
  uint64_t tail_from;  // the first entry number kept in the head
};

BlockSpan block_span(uint64_t first_index, uint64_t appended) {
  const uint64_t sealed_end = appended - appended % kEntriesPerBlock;
  const uint64_t first_block = first_index / kEntriesPerBlock;
  const uint64_t end_block = std::max(first_block, sealed_end / kEntriesPerBlock);
  return {first_block, end_block, std::max(first_index, sealed_end)};
}

void text(ByteWriter& w, const std::string& s) {
  w.u32(uint32_t(s.size()));
  w.raw(std::string_view(s));
}

std::string text(ByteReader& r) {
  const uint32_t n = r.u32();
  return std::string(r.view(n, "sequence state text"));
}

PartitionSequence decode_checked(const std::string& bytes, const BlockReader& blocks,
                                 const SequenceOptions& options) {
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
  uint64_t appended = 0;
  if (version < 3) {
    take_entries(p, 0, 0, entries);
    appended = entries.size();
  } else {
    appended = uint64_t(p.i64());
    const uint64_t live = p.u32();
    if (live > appended) throw SequenceStateError("sequence state: more live ids than ever seen");
    const uint64_t first = appended - live;
    const BlockSpan span = block_span(first, appended);
    for (uint64_t b = span.first_block; b < span.end_block; ++b) {
      auto it = blocks.find(block_name(b));
      if (it == blocks.end())
        throw SequenceStateError("sequence state: its dedupe block " + block_name(b) +
                                 " is missing from the checkpoint");
      const std::string block_bytes = it->second();
      ByteReader block({reinterpret_cast<const uint8_t*>(block_bytes.data()), block_bytes.size()});
      if (block.i8() != int8_t(kBlockVersion))
        throw SequenceStateError("sequence state: dedupe block of an unknown version");
      const auto start = uint64_t(block.i64());
      if (start < b * kEntriesPerBlock || start > std::max(first, b * kEntriesPerBlock))
        throw SequenceStateError("sequence state: dedupe block " + block_name(b) +
                                 " does not hold the ids the state needs");
      take_entries(block, start, first, entries);
      if (!block.empty() ||
          entries.size() != std::min(appended, (b + 1) * kEntriesPerBlock) - first)
        throw SequenceStateError("sequence state: dedupe block " + block_name(b) +
                                 " holds other ids than its number says");
    }
    take_entries(p, span.tail_from, span.tail_from, entries);
    if (entries.size() != live)
      throw SequenceStateError("sequence state: the dedupe window holds " +
                               std::to_string(entries.size()) + " ids, not the " +
                               std::to_string(live) + " it says");
  }
  if (!p.empty()) throw SequenceStateError("sequence state: bytes after the dedupe window");
  state.dedupe.restore(std::move(entries), newest, appended);
  return state;
}

}  // namespace

pipeline::ProcessorState encode_sequence_state(const PartitionSequence& state,
                                               const SequenceOptions& options) {
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
  const DedupeWindow& window = state.dedupe;
  w.i64(window.newest_ms());
  w.i64(int64_t(window.appended()));
  w.u32(uint32_t(window.entries().size()));
  const BlockSpan span = block_span(window.first_index(), window.appended());
  put_entries(w, window, span.tail_from, window.appended());

  pipeline::ProcessorState encoded(std::string(out.begin(), out.end()));
  for (uint64_t b = span.first_block; b < span.end_block; ++b) {
    // Encoded only if the checkpoint has not stored it yet: while the window
    // still holds its entries (the runtime asks before the next record).
    encoded.blocks.push_back({block_name(b), [&window, b] {
                                Bytes block;
                                ByteWriter bw(block);
                                const uint64_t from =
                                    std::max(window.first_index(), b * kEntriesPerBlock);
                                bw.i8(int8_t(kBlockVersion));
                                bw.i64(int64_t(from));
                                put_entries(bw, window, from, (b + 1) * kEntriesPerBlock);
                                return std::string(block.begin(), block.end());
                              }});
  }
  return encoded;
}

PartitionSequence decode_sequence_state(const pipeline::ProcessorState& state,
                                        const SequenceOptions& options) {
  BlockReader blocks;
  for (const pipeline::StateBlock& b : state.blocks) blocks.emplace(b.name, b.bytes);
  try {
    return decode_checked(state.head, blocks, options);
  } catch (const DecodeError& e) {
    throw SequenceStateError(std::string("sequence state: ") + e.what() +
                             " (damaged; delete the checkpoint to start every key afresh)");
  }
}

}  // namespace sluice::stages
