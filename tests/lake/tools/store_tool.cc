// The `sluice store` command group on its own, built from the same source as
// the sluice binary, so the store tests can run without building the rest of
// sluice: `store_tool store check URL` behaves exactly like `sluice store check URL`.
#include <cstdio>

#include "cli/store_command.h"

int main(int argc, char** argv) {
  CLI::App app{"store_tool: `sluice store` without the rest of sluice"};
  app.require_subcommand(1);
  std::vector<CLI::App*> apps;
  std::vector<sluice::cli::Run> runs = sluice::cli::add_store_commands(app, apps);
  CLI11_PARSE(app, argc, argv);
  try {
    for (size_t i = 0; i < apps.size(); ++i)
      if (apps[i]->parsed()) return runs[i]();
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sluice: %s\n", e.what());
    return 1;
  }
}
