// "Did you mean ...?" for a mistyped subcommand or flag, as git and rpk answer:
// the registered name nearest to what was typed by edit distance, offered only
// when it is near enough that the guess is likely right (a long name allows
// more typos than a short one).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace sluice::cli {

// Edit distance (optimal string alignment): insertions, deletions, substitutions and
// swaps of two neighbouring characters (the commonest typo: `lsit`), each costing 1.
size_t edit_distance(const std::string& a, const std::string& b);

// The candidate nearest `typed` within max(1, typed.size() / 3) edits, or a
// candidate that `typed` is a prefix of (`sluice top` -> topics); nullopt when
// none is near. Ties go to the first candidate.
std::optional<std::string> nearest_name(const std::string& typed,
                                        const std::vector<std::string>& candidates);

// Walks `args` (argv without the program name) through the command tree of
// `root` as CLI11 would and, at the first word that names neither a subcommand
// nor a flag where one was expected, returns a sentence such as
// "unknown command 'topcs'; did you mean 'topics'?" — or nullopt when every
// word fits or nothing is near.
std::optional<std::string> suggest_correction(CLI::App& root, const std::vector<std::string>& args);

}  // namespace sluice::cli
