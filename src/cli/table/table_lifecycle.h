// `sluice table delete|backup|restore`: a table's data over its life — old
// partitions deleted by age, consistent backups and their verified restore.
#pragma once

#include <vector>

#include "cli/support/commands.h"

namespace sluice::cli {

// Adds the three commands under `group` (`sluice table`), their runners to `runs`.
void add_table_lifecycle_commands(CLI::App& group, std::vector<CLI::App*>& registered,
                                  std::vector<Run>& runs);

}  // namespace sluice::cli
