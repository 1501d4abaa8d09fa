// Small metadata files (topic.conf, log-start-offset) written so that a crash
// leaves either the old or the new content, never a mix or an empty file.
//
// Invariant: when write_file_atomically() returns, the new content and the
// directory entry pointing at it are both on disk (temp file, fsync, rename,
// fsync of the directory). Failures throw StorageError naming the file.
#pragma once

#include <filesystem>
#include <string_view>

namespace sluice::broker {

void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// Makes creations, renames and removals inside `dir` durable.
void sync_directory(const std::filesystem::path& dir);

}  // namespace sluice::broker
