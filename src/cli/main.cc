// `sluice` entry point: parses the command line and runs the chosen subcommand.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>

#include "cli/store/store_command.h"
#include "cli/support/commands.h"
#include "cli/support/profile.h"
#include "cli/support/suggest.h"
#include "cli/support/version.h"
#include "common/log.h"

namespace {

sluice::log::Level parse_level(const std::string& level) {
  using sluice::log::Level;
  if (level == "debug") return Level::kDebug;
  if (level == "warn") return Level::kWarn;
  if (level == "error") return Level::kError;
  return Level::kInfo;
}

// The innermost parsed subcommand's runner (`sluice breaker open` runs "open").
int run_parsed(const std::vector<std::pair<CLI::App*, sluice::cli::Run>>& commands) {
  const sluice::cli::Run* chosen = nullptr;
  for (const auto& [app, run] : commands) {
    if (app->parsed()) chosen = &run;
  }
  return chosen ? (*chosen)() : 0;
}

// Parses like CLI11_PARSE, adding "did you mean" to a mistyped command or flag.
// Returns the exit code when the program should stop here.
std::optional<int> parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // A mistyped word makes CLI11 say something beside the point ("A subcommand is
    // required" for `sluice pauze`): the suggestion replaces its message.
    if (e.get_exit_code() != 0) {
      if (auto hint = sluice::cli::suggest_correction(app, {argv + 1, argv + argc})) {
        std::fprintf(stderr, "sluice: %s\nRun with --help for more information.\n", hint->c_str());
        return e.get_exit_code();
      }
    }
    return app.exit(e);
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  // Before any command is registered: their flags' defaults come from the profile.
  try {
    sluice::cli::load_defaults();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sluice: %s; fix it, or point SLUICE_CONFIG at another file\n", e.what());
    return 2;
  }
  CLI::App app{"sluice: a streaming data pipeline with a built-in Kafka-compatible broker"};
  app.require_subcommand(1);
  app.set_version_flag("--version", sluice::cli::version_text());
  std::string level = "info";
  app.add_option("--log-level", level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  std::string format;
  app.add_option("--log-format", format, "text or json (JSON lines; env SLUICE_LOG_FORMAT)")
      ->check(CLI::IsMember({"text", "json"}));

  std::vector<std::pair<CLI::App*, sluice::cli::Run>> commands;
  auto add = [&](sluice::cli::Run run) {
    commands.emplace_back(app.get_subcommands({}).back(), std::move(run));
  };
  add(sluice::cli::add_broker_command(app));
  add(sluice::cli::add_run_command(app));
  add(sluice::cli::add_demo_source_command(app));
  add(sluice::cli::add_up_command(app));
  add(sluice::cli::add_validate_command(app));
  add(sluice::cli::add_health_command(app));
  add(sluice::cli::add_exporter_command(app));
  add(sluice::cli::add_logs_command(app));
  add(sluice::cli::add_registry_command(app));
  add(sluice::cli::add_serve_command(app));
  add(sluice::cli::add_completion_command(app));
  // Command groups with nested subcommands register one runner per leaf.
  for (auto* add_group : {&sluice::cli::add_stage_control_commands,
                          &sluice::cli::add_topics_commands, &sluice::cli::add_groups_commands,
                          &sluice::cli::add_table_commands, &sluice::cli::add_store_commands,
                          &sluice::cli::add_process_commands, &sluice::cli::add_dlq_commands,
                          &sluice::cli::add_incident_commands, &sluice::cli::add_users_commands,
                          &sluice::cli::add_acls_commands, &sluice::cli::add_symbols_commands}) {
    std::vector<CLI::App*> apps;
    auto runs = (*add_group)(app, apps);
    for (size_t i = 0; i < apps.size(); ++i) commands.emplace_back(apps[i], runs[i]);
  }

  if (auto stop = parse(app, argc, argv)) return *stop;
  sluice::log::set_level(parse_level(level));
  if (!format.empty())
    sluice::log::set_format(format == "json" ? sluice::log::Format::kJson
                                             : sluice::log::Format::kText);
  try {
    return run_parsed(commands);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sluice: %s\n", e.what());
    return 1;
  }
}
