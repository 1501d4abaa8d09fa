// How the log cleaner replaces sealed segments with their cleaned copy so that
// a crash at any instant leaves either the old segments or the new one, never
// both and never neither (docs/formats/compaction.md).
//
// A cleaned segment for the old segments [BASE, END) is written, with its
// indexes, into the partition's `.cleaning-BASE/` folder and synced. Renaming
// that folder to `.swap-BASE-END/` is the commit point. Then the old segments'
// files go, and the new files move into the partition folder, the log file
// last. At start, recover_segment_swaps() removes any `.cleaning-*` folder (a
// clean that never committed) and completes any `.swap-*` one: while it still
// holds its log file, every segment file of [BASE, END) in the partition
// folder is old and goes first.
#pragma once

#include <cstdint>
#include <filesystem>

namespace sluice::broker {

// Where a cleaned copy starting at `base` is written.
std::filesystem::path cleaning_dir(const std::filesystem::path& log_dir, int64_t base);

// The commit point: the cleaned copy of `base` now replaces the segments
// [base, end). Durable on return. Returns the swap folder.
std::filesystem::path commit_swap(const std::filesystem::path& log_dir, int64_t base, int64_t end);

// Moves a committed swap's files into the partition folder (indexes first, the
// log last), durably, and removes the swap folder. The old segments' files must
// be gone already.
void install_swap(const std::filesystem::path& swap_dir, const std::filesystem::path& log_dir);

// At open, before the segments are listed: see the header comment.
void recover_segment_swaps(const std::filesystem::path& log_dir);

}  // namespace sluice::broker
