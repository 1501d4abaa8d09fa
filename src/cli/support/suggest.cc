#include "cli/support/suggest.h"

#include <CLI/CLI.hpp>
#include <algorithm>

namespace sluice::cli {
namespace {

// Every spelling of a flag on `app` and the apps above it (CLI11 lets a
// subcommand's word be followed by its parents' flags too): "--bootstrap", "-n".
std::vector<std::string> flag_spellings(const CLI::App* app) {
  std::vector<std::string> out;
  for (; app != nullptr; app = app->get_parent()) {
    for (const CLI::Option* opt : app->get_options()) {
      for (const auto& l : opt->get_lnames()) out.push_back("--" + l);
      for (const auto& s : opt->get_snames()) out.push_back("-" + s);
    }
  }
  return out;
}

const CLI::Option* find_flag(CLI::App* app, const std::string& spelling) {
  for (; app != nullptr; app = app->get_parent()) {
    if (const CLI::Option* opt = app->get_option_no_throw(spelling)) return opt;
  }
  return nullptr;
}

CLI::App* find_subcommand(CLI::App* app, const std::string& word) {
  for (CLI::App* sub : app->get_subcommands({})) {
    if (sub->check_name(word)) return sub;
  }
  return nullptr;
}

std::vector<std::string> subcommand_names(CLI::App* app) {
  std::vector<std::string> out;
  for (const CLI::App* sub : app->get_subcommands({})) out.push_back(sub->get_name());
  return out;
}

std::optional<std::string> unknown(const std::string& what, const std::string& typed,
                                   const std::vector<std::string>& candidates) {
  std::optional<std::string> near = nearest_name(typed, candidates);
  if (!near) return std::nullopt;
  return "unknown " + what + " '" + typed + "'; did you mean '" + *near + "'?";
}

}  // namespace

size_t edit_distance(const std::string& a, const std::string& b) {
  // d[i][j]: the distance between a's first i and b's first j characters.
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);  // two neighbours swapped
    }
  }
  return d[a.size()][b.size()];
}

std::optional<std::string> nearest_name(const std::string& typed,
                                        const std::vector<std::string>& candidates) {
  const size_t allowed = std::max<size_t>(1, typed.size() / 3);
  std::optional<std::string> best;
  size_t best_distance = allowed + 1;
  for (const auto& c : candidates) {
    const size_t d = edit_distance(typed, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  if (best) return best;
  // A word cut short ("top", "--boot") is no typo but still means one name.
  if (typed.size() >= 3 && typed.find_first_not_of('-') < typed.size()) {
    for (const auto& c : candidates) {
      if (c.size() > typed.size() && c.compare(0, typed.size(), typed) == 0) return c;
    }
  }
  return std::nullopt;
}

std::optional<std::string> suggest_correction(CLI::App& root,
                                              const std::vector<std::string>& args) {
  CLI::App* at = &root;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--") return std::nullopt;  // positional arguments only from here on
    if (word.size() > 1 && word[0] == '-') {
      const std::string name = word.substr(0, word.find('='));
      const CLI::Option* opt = find_flag(at, name);
      // A one-letter flag is one edit from every other: no guess is better than a wrong one.
      if (opt == nullptr)
        return name.size() > 2 ? unknown("flag", name, flag_spellings(at)) : std::nullopt;
      // A value given as the next word is not a command; `--x=v` carries its own.
      if (opt->get_items_expected_min() > 0 && name.size() == word.size()) ++i;
      continue;
    }
    CLI::App* sub = find_subcommand(at, word);
    if (sub != nullptr) {
      at = sub;
      continue;
    }
    // A word that is no subcommand is fine where the command takes positionals.
    const bool takes_positionals =
        !at->get_options([](const CLI::Option* o) { return o->get_positional(); }).empty();
    if (!at->get_subcommands({}).empty() && !takes_positionals)
      return unknown("command", word, subcommand_names(at));
  }
  return std::nullopt;
}

}  // namespace sluice::cli
