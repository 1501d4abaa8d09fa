// `sluice` entry point: parses the command line and runs one subcommand.
#include <cstdio>

#include "cli/commands.h"
#include "common/log.h"

int main(int argc, char** argv) {
  CLI::App app{"sluice: a streaming data pipeline with a built-in Kafka-compatible broker"};
  app.require_subcommand(1);
  std::string level = "info";
  app.add_option("--log-level", level, "debug, info, warn or error")->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  std::vector<std::pair<CLI::App*, sluice::cli::Run>> commands;
  auto run_broker = sluice::cli::add_broker_command(app);
  CLI11_PARSE(app, argc, argv);
  using sluice::log::Level;
  sluice::log::set_level(level == "debug" ? Level::kDebug : level == "warn" ? Level::kWarn
                         : level == "error"                                 ? Level::kError
                                                                            : Level::kInfo);
  try {
    if (app.got_subcommand("broker")) return run_broker();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sluice: %s\n", e.what());
    return 1;
  }
  return 0;
}
