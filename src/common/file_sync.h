// fsync helpers for files that must survive a crash (kill -9, power cut).
//
// A write is durable only once the file's data is synced, and a file created,
// renamed or removed only once its directory is synced too: a crash between
// the two can leave a synced file that no directory entry points at.
// Failures throw std::system_error naming the path, so the caller's message
// says which file could not be made durable.
#pragma once

#include <filesystem>

namespace sluice {

// fdatasync(2) of an open file; `path` is only for the error message.
void sync_file(int fd, const std::filesystem::path& path);

// Makes creations, renames and removals inside `dir` durable.
void sync_directory(const std::filesystem::path& dir);

}  // namespace sluice
