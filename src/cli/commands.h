// Each `sluice` subcommand registers itself on the CLI11 app and returns the
// function that runs it once parsing succeeded.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace sluice::cli {

using Run = std::function<int()>;

Run add_broker_command(CLI::App& app);

}  // namespace sluice::cli
