// The contender: `sluice run` with a one-stage passthrough pipeline, as an
// operator would start it, timed until its output topic holds every record.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace sluice::bench {

double run_passthrough_stage(const std::string& sluice_bin, const std::filesystem::path& workdir,
                             const std::string& bootstrap, const std::string& input, const std::string& output,
                             int64_t count);

// Sum of the high watermarks of `topic`'s partitions.
int64_t records_in(const std::string& bootstrap, const std::string& topic);

}  // namespace sluice::bench
