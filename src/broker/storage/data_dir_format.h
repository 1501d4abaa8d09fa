// The data directory's format marker, DATA_DIR/meta.properties, and the
// migrations that bring an older data directory up to the format this binary
// writes. The format is documented once, in docs/formats/data-dir.md.
//
// Promises:
//  - open_data_dir() runs before anything else reads the data directory. A
//    directory of a newer format, or with a marker that does not parse, is
//    refused (DataDirRefused) before a byte of it is read or changed.
//  - Migrations run in order, one step per version (N to N+1). Each step is
//    idempotent, and the marker is replaced atomically after each one, so a
//    crash at any point leaves a directory the next start migrates again from
//    the last completed step.
//  - The cluster id is chosen once, when the directory gets its marker, and
//    never changes afterwards.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice::broker {

// Format 0 is a directory without a marker (sluice releases before the marker).
inline constexpr int kNoMarkerFormat = 0;

// The id a data directory without a marker was always served under: migration
// keeps it, so clients see the same cluster before and after an upgrade.
inline constexpr const char* kLegacyClusterId = "sluice-single-node";

struct DataDirMarker {
  int version = 0;
  std::string cluster_id;
};

// Why a data directory cannot be opened: too new, or its marker is damaged.
class DataDirRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses the marker's text; throws DataDirRefused naming `path` and what is wrong.
// A version above `newest_known` is returned as read: a newer format may have
// other keys, and the caller refuses it anyway.
DataDirMarker parse_marker(const std::string& text, const std::filesystem::path& path,
                           int newest_known);
std::string format_marker(const DataDirMarker& marker);
// The marker of `data_dir`, or nullopt when it has none.
std::optional<DataDirMarker> read_marker(const std::filesystem::path& data_dir, int newest_known);
void write_marker(const std::filesystem::path& data_dir, const DataDirMarker& marker);

// One on-disk change: turns a directory of format `from` into format `from + 1`.
// Must be idempotent: a crash may run it again over its own partial result.
struct MigrationStep {
  int from = 0;
  std::string what;  // logged while the step runs
  std::function<void(const std::filesystem::path& data_dir)> run;
};

// The steps this binary knows, in order: steps[i].from == i. The format it
// writes is migration_steps().size().
const std::vector<MigrationStep>& migration_steps();
int current_data_dir_format();

// Creates the marker of a new directory, or migrates an older one; returns the
// marker as it now is. Throws DataDirRefused for a newer or corrupt directory and
// std::runtime_error for I/O failures.
DataDirMarker open_data_dir(const std::filesystem::path& data_dir);
// The same with a given list of steps (tests).
DataDirMarker open_data_dir(const std::filesystem::path& data_dir,
                            const std::vector<MigrationStep>& steps);

}  // namespace sluice::broker
