// The one declaration of `--data-dir DIR` for commands that work beside a
// `sluice up` (ps, restart, down, validate, status, pause ...): its default
// comes from profile.h (env SLUICE_DATA_DIR, then the profile's `data_dir:`,
// then "sluice-data"), and its help says so, the same way everywhere.
#pragma once

#include <string>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace sluice::cli {

// Sets `data_dir` to the default and registers the option on `cmd`.
CLI::Option* add_data_dir_option(CLI::App* cmd, std::string& data_dir, const std::string& help);

}  // namespace sluice::cli
