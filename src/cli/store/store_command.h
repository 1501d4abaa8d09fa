// `sluice store check|ls|get|put URL ...`: look into and probe the lake's object
// store (local directory or S3) with exactly the code the pipeline uses, so an
// operator can tell a credentials, endpoint or permissions problem from a
// pipeline one.
#pragma once

#include <vector>

#include "cli/support/commands.h"

namespace sluice::cli {

// One Run per leaf (check, ls, get, put), in `registered` order.
std::vector<Run> add_store_commands(CLI::App& app, std::vector<CLI::App*>& registered);

}  // namespace sluice::cli
