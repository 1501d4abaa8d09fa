// The admin token: the bearer token a stage process's mutating admin endpoints
// (pause, resume, breakers) require, and where each side finds it.
//
// `sluice up` writes a fresh token to DATA_DIR/admin-token (mode 0600, written
// to a temporary file first, so a reader never sees half of one) and hands
// every process it starts SLUICE_ADMIN_TOKEN_FILE. A server (`sluice run`,
// `sluice exporter`) takes --admin-token-file, else SLUICE_ADMIN_TOKEN_FILE,
// else SLUICE_ADMIN_TOKEN; a client (`sluice pause` ...) the same, then the
// admin-token file of the `sluice up` data dir it talks to.
//
// Invariant: a token read from a file is that file's first line without
// surrounding whitespace, and never empty — an empty or unreadable file is an
// error naming the file, not a silently open endpoint.
#pragma once

#include <string>

namespace sluice::cli {

inline constexpr const char* kAdminTokenFile = "admin-token";  // under a `sluice up` data dir

// A new random token (32 bytes from the OS, hex) written to DATA_DIR/admin-token
// with mode 0600; returns the file's path. Throws std::runtime_error on failure.
std::string write_new_admin_token(const std::string& data_dir);

// The token in `path`. Throws std::runtime_error naming the file when it cannot
// be read or is empty; warns when others may read it.
std::string read_admin_token(const std::string& path);

// For a server: --admin-token-file (`flag_file`), SLUICE_ADMIN_TOKEN_FILE,
// SLUICE_ADMIN_TOKEN, else "" (no token).
std::string server_admin_token(const std::string& flag_file);

// For a client: as server_admin_token(), then DATA_DIR/admin-token when
// `data_dir` is set and the file exists, else "".
std::string client_admin_token(const std::string& flag_file, const std::string& data_dir);

}  // namespace sluice::cli
