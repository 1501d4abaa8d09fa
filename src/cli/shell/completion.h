// Shell completion scripts for bash and zsh, generated from the registered
// CLI11 command tree at the moment they are asked for — so they always list
// exactly the subcommands and flags this binary has and never go stale.
//
// Both scripts hold the tree as two tables keyed by the command path
// ("sluice", "sluice topics", ...): the subcommands and the flags at that
// path. Completing walks the words typed so far down the tree and offers the
// next subcommand, or a flag when the word starts with '-'; anything else
// (topic names, files) falls back to the shell's file completion.
#pragma once

#include <string>

namespace CLI {
class App;
}  // namespace CLI

namespace sluice::cli {

std::string bash_completion(const CLI::App& root);
std::string zsh_completion(const CLI::App& root);

}  // namespace sluice::cli
