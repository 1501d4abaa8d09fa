// Secrets kept in files: the admin token, SASL passwords (`sasl.password_file`,
// the stage user of `sluice up --secure`). One format and one set of rules for
// all of them, so an operator learns them once:
//
// - a secret is the file's first line without surrounding whitespace (a
//   trailing newline, as `echo` writes, is not part of it), and never empty —
//   an empty or unreadable file is an error naming the file and what it is
//   for, never a silently empty password or an open endpoint;
// - a file others may read is warned about (chmod 600), not refused, so a
//   secret mounted read-only by an orchestrator still works;
// - a file written here is mode 0600 from its first byte (a temporary file
//   created with O_EXCL, then renamed), so a reader never sees half of one.
#pragma once

#include <string>

namespace sluice {

// Hex of `bytes` bytes from the kernel's CSPRNG (getrandom), not a seeded
// generator: for tokens and passwords. Throws std::runtime_error on failure.
std::string random_secret_hex(int bytes);

// `what` names the file in messages ("admin token file", "SASL password file").
// Throws std::runtime_error naming the file when it cannot be read or is empty.
std::string read_secret_file(const std::string& path, const std::string& what);

// Writes `text` to `path` with mode 0600 (creating its directory). Throws
// std::runtime_error naming the file on failure.
void write_secret_file(const std::string& path, const std::string& text, const std::string& what);

}  // namespace sluice
