#include "cli/support/data_dir_flag.h"

#include <CLI/CLI.hpp>

#include "cli/support/profile.h"

namespace sluice::cli {

CLI::Option* add_data_dir_option(CLI::App* cmd, std::string& data_dir, const std::string& help) {
  data_dir = defaults().data_dir();
  return cmd
      ->add_option("--data-dir", data_dir, help + " (env SLUICE_DATA_DIR, profile `data_dir:`)")
      ->capture_default_str();
}

}  // namespace sluice::cli
