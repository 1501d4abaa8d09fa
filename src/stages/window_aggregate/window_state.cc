#include "stages/window_aggregate/window_state.h"

#include <algorithm>
#include <bit>

#include "common/bytes.h"

namespace sluice::stages {
namespace {

constexpr uint8_t kVersion = 1;

void text(ByteWriter& w, const std::string& s);
std::string text(ByteReader& r);

void accumulators(ByteWriter& w, const Accumulators& accs) {
  for (const Accumulator& a : accs) {
    w.i64(a.n);
    w.i64(std::bit_cast<int64_t>(a.a));
    w.i64(std::bit_cast<int64_t>(a.b));
    w.i64(std::bit_cast<int64_t>(a.c));
    w.i64(a.t);
    text(w, a.raw);
  }
}

Accumulators accumulators(ByteReader& p, size_t count) {
  Accumulators accs(count);
  for (Accumulator& a : accs) {
    a.n = p.i64();
    a.a = std::bit_cast<double>(p.i64());
    a.b = std::bit_cast<double>(p.i64());
    a.c = std::bit_cast<double>(p.i64());
    a.t = p.i64();
    a.raw = text(p);
  }
  return accs;
}

void text(ByteWriter& w, const std::string& s) {
  w.u32(uint32_t(s.size()));
  w.raw(std::string_view(s));
}

std::string text(ByteReader& r) {
  const uint32_t n = r.u32();
  return std::string(r.view(n, "window state text"));
}

PartitionWindows decode_checked(const std::string& bytes, const std::string& fingerprint,
                                size_t aggregates);

}  // namespace

std::string encode_windows(const PartitionWindows& state, const std::string& fingerprint,
                           size_t aggregates) {
  Bytes out;
  ByteWriter w(out);
  w.i8(int8_t(kVersion));
  text(w, fingerprint);
  w.u32(uint32_t(aggregates));
  w.i64(state.max_event_time);
  w.i64(state.sealed_through);
  w.u32(uint32_t(state.panes.size()));
  for (const auto& [start, groups] : state.panes) {
    w.i64(start);
    w.u32(uint32_t(groups.size()));
    // Sorted, so equal states encode to equal bytes.
    std::vector<const PaneGroups::value_type*> sorted;
    sorted.reserve(groups.size());
    for (const auto& g : groups) sorted.push_back(&g);
    std::sort(sorted.begin(), sorted.end(), [](auto* x, auto* y) { return x->first < y->first; });
    for (const auto* g : sorted) {
      text(w, g->first);
      accumulators(w, g->second);
    }
  }
  w.u32(uint32_t(state.pending.size()));
  for (const WindowRow& row : state.pending) {
    w.i64(row.start);
    w.i64(row.end);
    text(w, row.group);
    accumulators(w, row.accumulators);
  }
  return std::string(out.begin(), out.end());
}

PartitionWindows decode_windows(const std::string& bytes, const std::string& fingerprint,
                                size_t aggregates) {
  try {
    return decode_checked(bytes, fingerprint, aggregates);
  } catch (const DecodeError& e) {
    throw WindowStateError(std::string("window state: ") + e.what() +
                           " (damaged; delete the checkpoint to start the windows empty)");
  }
}

namespace {

PartitionWindows decode_checked(const std::string& bytes, const std::string& fingerprint,
                                size_t aggregates) {
  ByteReader p({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  if (bytes.empty() || uint8_t(p.i8()) != kVersion)
    throw WindowStateError("window state: unknown version (written by another sluice?)");
  const std::string written_for = text(p);
  if (written_for != fingerprint || p.u32() != aggregates) {
    throw WindowStateError(
        "window state was written for other window options (" + written_for + ") than now (" +
        fingerprint +
        "); restore the stage's previous size/slide/group_by/aggregates, or delete the "
        "checkpoint to start the windows empty");
  }
  PartitionWindows state;
  state.max_event_time = p.i64();
  state.sealed_through = p.i64();
  for (uint32_t panes = p.u32(); panes > 0; --panes) {
    PaneGroups& groups = state.panes[p.i64()];
    for (uint32_t n = p.u32(); n > 0; --n) {
      std::string key = text(p);
      groups.emplace(std::move(key), accumulators(p, aggregates));
    }
  }
  for (uint32_t rows = p.u32(); rows > 0; --rows) {
    WindowRow row;
    row.start = p.i64();
    row.end = p.i64();
    row.group = text(p);
    row.accumulators = accumulators(p, aggregates);
    state.pending.push_back(std::move(row));
  }
  if (!p.empty()) throw WindowStateError("window state: bytes after the last pane");
  return state;
}

}  // namespace
}  // namespace sluice::stages
