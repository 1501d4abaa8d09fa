// Each `sluice` subcommand registers itself on the CLI11 app and returns the
// function that runs it once parsing succeeded.
#pragma once

#include <functional>
#include <vector>

// CLI11 is a large header-only library: headers name its App by declaration only;
// the .cc files that define commands include <CLI/CLI.hpp>.
namespace CLI {
class App;
}  // namespace CLI

namespace sluice::cli {

using Run = std::function<int()>;

Run add_broker_command(CLI::App& app);
Run add_run_command(CLI::App& app);
Run add_demo_source_command(CLI::App& app);
Run add_validate_command(CLI::App& app);
Run add_up_command(CLI::App& app);
Run add_health_command(CLI::App& app);
Run add_exporter_command(CLI::App& app);
Run add_logs_command(CLI::App& app);
Run add_registry_command(CLI::App& app);
Run add_serve_command(CLI::App& app);
// `sluice completion bash|zsh`; generates from `app` when run, so register it last or not: it
// sees the whole tree either way.
Run add_completion_command(CLI::App& app);
// pause, resume, status and breaker: one Run per (sub)command, in `registered` order.
std::vector<Run> add_stage_control_commands(CLI::App& app, std::vector<CLI::App*>& registered);
std::vector<Run> add_topics_commands(CLI::App& app, std::vector<CLI::App*>& registered);
std::vector<Run> add_groups_commands(CLI::App& app, std::vector<CLI::App*>& registered);
std::vector<Run> add_table_commands(CLI::App& app, std::vector<CLI::App*>& registered);
std::vector<Run> add_process_commands(CLI::App& app, std::vector<CLI::App*>& registered);
std::vector<Run> add_dlq_commands(CLI::App& app, std::vector<CLI::App*>& registered);
std::vector<Run> add_symbols_commands(CLI::App& app, std::vector<CLI::App*>& registered);
std::vector<Run> add_incident_commands(CLI::App& app, std::vector<CLI::App*>& registered);
std::vector<Run> add_users_commands(CLI::App& app, std::vector<CLI::App*>& registered);
std::vector<Run> add_acls_commands(CLI::App& app, std::vector<CLI::App*>& registered);

// `sluice broker check`, run by the `broker` command when its `check` subcommand is parsed.
struct KafkaFlags;
int run_broker_check(const KafkaFlags& flags, bool as_json);

}  // namespace sluice::cli
