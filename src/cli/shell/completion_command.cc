// `sluice completion bash|zsh`: prints a completion script for the shell,
// generated from this binary's own command tree (see completion.h).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/shell/completion.h"
#include "cli/support/commands.h"

namespace sluice::cli {

Run add_completion_command(CLI::App& app) {
  auto shell = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "completion",
      "Print a shell completion script: source <(sluice completion bash), or zsh likewise");
  cmd->add_option("shell", *shell, "bash or zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  return [&app, shell] {
    const std::string script = *shell == "bash" ? bash_completion(app) : zsh_completion(app);
    std::fputs(script.c_str(), stdout);
    return 0;
  };
}

}  // namespace sluice::cli
